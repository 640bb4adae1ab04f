"""The header fits every width from a phone up, in English and French, and works from the keyboard.

An agency admin has the richest navigation (Learning, Studio, Manage and Reports menus); a
learner the plainest (three links in the bar). At each width: nothing scrolls sideways, the logo
and the header's items do not overlap one another, every menu opens with Tab and Enter and its
links take the focus in turn, and axe-core finds nothing serious.
"""

import pytest

from agencies.models import Role
from tests.builders import make_member
from tests.e2e.conftest import fill_sign_in_form, nav
from tests.factories import AgencyFactory, UnitFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WIDTHS = [320, 390, 1024, 1280, 1440]
# A long agency name, as real ones are: it must wrap inside the logo, not push into the menus.
AGENCY = "Department of Examples and Demonstrations"

# Boxes of the logo and of every visible header item (primary items, secondary items, the
# "Menu" button), and the pairs of them that overlap by more than a pixel.
OVERLAPS_JS = """
() => {
  const header = document.querySelector('header.usa-header');
  const selectors = ['.usa-logo', '.usa-menu-btn', '.usa-nav__primary-item',
                     '.usa-nav__secondary-item'];
  const boxes = [];
  for (const selector of selectors) {
    for (const el of header.querySelectorAll(selector)) {
      if (!el.checkVisibility()) continue;
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      boxes.push({name: `${selector} "${el.innerText.trim().slice(0, 40)}"`, r});
    }
  }
  const overlaps = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i].r, b = boxes[j].r;
      const x = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const y = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (x > 1 && y > 1) overlaps.push(`${boxes[i].name} overlaps ${boxes[j].name}`);
    }
  }
  return {count: boxes.length, overlaps};
}
"""


def _focused(page, selector):
    return page.evaluate("s => document.activeElement === document.querySelector(s)", selector)


def _tab_to(page, selector, limit=80):
    """Press Tab until the element matching `selector` has the focus (fail after `limit`)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if _focused(page, selector):
            return
    pytest.fail(f"{selector} never took the focus after {limit} presses of Tab", pytrace=False)


def _start_from_top(page):
    page.reload()
    page.locator("body").focus()
    page.evaluate("document.activeElement && document.activeElement.blur()")


def _check_width(page, axe_check, width):
    page.set_viewport_size({"width": width, "height": 800})
    page.reload()
    scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll <= inner, f"scrolls sideways at {width}px: {scroll} > {inner}"
    boxes = page.evaluate(OVERLAPS_JS)
    assert boxes["count"] >= 2, f"no header items found at {width}px"
    assert not boxes["overlaps"], f"at {width}px: " + "; ".join(boxes["overlaps"])
    axe_check(page)

    narrow = page.locator(".usa-menu-btn").is_visible()
    items = page.locator(".usa-nav__primary > .usa-nav__primary-item > :is(a, button)")
    targets = [
        (item.get_attribute("aria-controls"), item.get_attribute("href")) for item in items.all()
    ]
    assert targets, f"no navigation items at {width}px"
    for menu_id, href in targets:
        _start_from_top(page)
        if narrow:
            _tab_to(page, ".usa-menu-btn")
            page.keyboard.press("Enter")
            assert page.locator("nav.usa-nav").is_visible()
        if href:  # a plain link in the bar
            _tab_to(page, f'.usa-nav__primary-item > a[href="{href}"]')
            continue
        _tab_to(page, f'button[aria-controls="{menu_id}"]')
        page.keyboard.press("Enter")
        button = page.locator(f'button[aria-controls="{menu_id}"]')
        assert button.get_attribute("aria-expanded") == "true", f"{menu_id} at {width}px"
        links = page.locator(f"#{menu_id} a")
        assert links.count() > 0
        for index in range(links.count()):
            page.keyboard.press("Tab")
            assert _focused(page, f"#{menu_id} li:nth-child({index + 1}) a"), (
                f"link {index + 1} of {menu_id} not reached by Tab at {width}px"
            )
            assert links.nth(index).is_visible()
        # The open menu fits the screen too, and still passes axe.
        scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert scroll <= inner, f"{menu_id} open scrolls sideways at {width}px"
        axe_check(page)


def _sign_in_and_choose(page, email, language):
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto("/")
    nav(page, "Sign in")
    fill_sign_in_form(page, email)
    page.wait_for_load_state()
    if language != "en":
        page.locator("#language-select").select_option(language)
        with page.expect_navigation():
            page.locator(".academy-language-button").click()
    assert page.locator("html").get_attribute("lang") == language


@pytest.fixture
def people():
    agency = AgencyFactory(name=AGENCY, slug="examples", domains=["example.gov"])
    unit = UnitFactory(agency=agency, name="Field office")
    make_member(agency, Role.AGENCY_ADMIN, unit, email="admin@example.gov")
    make_member(agency, Role.MANAGER, unit, email="manager@example.gov")
    make_member(agency, Role.LEARNER, unit, email="learner@example.gov")


@pytest.mark.parametrize("language", ["en", "fr"])
def test_agency_admin_header_fits_every_width(people, page, axe_check, language):
    _sign_in_and_choose(page, "admin@example.gov", language)
    menus = page.locator(".usa-nav__primary button.usa-accordion__button")
    assert menus.count() == 3  # Learning, Manage, Reports; Studio is a plain link
    for width in WIDTHS:
        _check_width(page, axe_check, width)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_manager_header_fits_every_width(people, page, axe_check, language):
    """The issue saw a manager's labels wrap into the language selector."""
    _sign_in_and_choose(page, "manager@example.gov", language)
    assert page.locator(".usa-nav__primary button.usa-accordion__button").count() >= 2
    for width in WIDTHS:
        _check_width(page, axe_check, width)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_learner_header_fits_every_width(people, page, axe_check, language):
    _sign_in_and_choose(page, "learner@example.gov", language)
    assert page.locator(".usa-nav__primary button").count() == 0  # three links, no menu
    for width in WIDTHS:
        _check_width(page, axe_check, width)


def test_current_section_and_page_are_marked(people, page, axe_check):
    _sign_in_and_choose(page, "admin@example.gov", "en")
    nav(page, "Manage", "Audit log")
    page.wait_for_url("**/agency/audit/")
    manage = page.locator(".usa-nav__primary").get_by_role("button", name="Manage", exact=True)
    assert "usa-current" in manage.get_attribute("class")
    reports = page.locator(".usa-nav__primary").get_by_role("button", name="Reports", exact=True)
    assert "usa-current" not in reports.get_attribute("class")
    manage.click()
    current = page.locator('.usa-nav__submenu a[aria-current="page"]')
    assert current.inner_text() == "Audit log"
    axe_check(page)

    page.set_viewport_size({"width": 390, "height": 800})
    nav(page, "Learning", "Catalog")
    page.wait_for_url("**/courses/")
    axe_check(page)
