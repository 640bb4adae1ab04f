import pytest

pytestmark = pytest.mark.e2e


def test_axe_check_fails_on_serious_violations_and_names_them(browser, axe_check):
    page = browser.new_page()
    try:
        page.set_content(
            '<html lang="en"><title>t</title><main><img src="x.png">'
            '<input type="text"></main></html>'
        )
        with pytest.raises(pytest.fail.Exception) as failure:
            axe_check(page)
    finally:
        page.close()
    report = str(failure.value)
    assert "image-alt" in report and "label" in report
    assert "target ['img']" in report


def test_axe_check_passes_a_clean_page(browser, axe_check):
    page = browser.new_page()
    try:
        page.set_content(
            '<html lang="en"><head><title>t</title></head><body><main><h1>Hi</h1>'
            '<label for="x">Name</label><input id="x"></main></body></html>'
        )
        axe_check(page)
    finally:
        page.close()
