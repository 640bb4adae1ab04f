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


@pytest.mark.django_db(transaction=True)
def test_a_content_security_policy_violation_fails_the_check(browser, live_server, axe_check):
    """The site's policy refuses inline script; a page that tries one fails the journey that
    visits it (issue 11, item 9: the browser tests fail on any violation Chromium reports)."""
    from tests.e2e.conftest import CSP_VIOLATIONS, watch_csp

    page = browser.new_page()
    try:
        watch_csp(page)
        page.goto(live_server.url + "/")
        page.evaluate(
            """() => { const s = document.createElement('script');
                       s.textContent = 'document.title = "inline ran"';
                       document.body.appendChild(s); }"""
        )
        page.wait_for_timeout(300)
        assert page.title() != "inline ran"  # the policy blocked it
        with pytest.raises(pytest.fail.Exception) as failure:
            axe_check(page)
    finally:
        CSP_VIOLATIONS.pop(id(page), None)
        page.close()
    assert "Content-Security-Policy violations" in str(failure.value)
    assert "inline script" in str(failure.value)
