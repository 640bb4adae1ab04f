"""Browser tests: Playwright (sync API) driving Debian's Chromium, with axe-core on every page.

Nothing is downloaded: the Playwright driver and axe-core's script ship inside their wheels, and
the browser is /usr/bin/chromium from `apt-get install -y chromium`.
"""

import os
import re
from pathlib import Path

import pytest

# The sync Playwright API runs an event loop in this thread; Django's ORM would otherwise refuse
# to run here (SynchronousOnlyOperation).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
BLOCKING_IMPACTS = {"serious", "critical"}


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.e2e)


def _require_browser():
    if CHROMIUM.exists():
        return
    message = f"{CHROMIUM} is missing: `apt-get install -y chromium` enables the browser tests."
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser():
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# The two screens every core journey is walked on: a laptop, and a phone (below 1024 px the
# header folds into its "Menu" button; nav() opens it).
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
LANGUAGES = ["en", "fr"]

both_widths = pytest.mark.parametrize("viewport", list(VIEWPORTS), indirect=True)
both_languages = pytest.mark.parametrize("language", LANGUAGES, indirect=True)


@pytest.fixture
def viewport(request):
    """The screen the page has: "desktop" unless the test is marked `@both_widths`."""
    return getattr(request, "param", "desktop")


@pytest.fixture
def language(request):
    """The language a journey switches to: "en" unless the test is marked `@both_languages`."""
    return getattr(request, "param", "en")


@pytest.fixture
def t(language):
    """The interface's words in the journey's language, read from the project's own catalogue,
    so a French run finds its buttons by their French labels: t("Find courses"), or with the
    template's placeholders filled, t("You scored %(score)s.", score="100 %")."""
    from django.utils import translation

    def translate(msgid, plural=None, count=None, **values):
        with translation.override(language):
            if plural is None:
                text = translation.gettext(msgid)
            else:
                text = translation.ngettext(msgid, plural, count)
        return text % values if values else text

    return translate


@pytest.fixture
def page(browser, live_server, viewport):
    context = browser.new_context(
        base_url=live_server.url, locale="en-US", viewport=VIEWPORTS[viewport]
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    watch_csp(page)
    yield page
    violations = CSP_VIOLATIONS.pop(id(page), [])
    context.close()
    if violations:
        pytest.fail("Content-Security-Policy violations:\n" + "\n".join(violations), pytrace=False)


# Pages (by id) -> the Content-Security-Policy violations Chromium reported on them.
CSP_VIOLATIONS: dict[int, list[str]] = {}


def watch_csp(page):
    """Record every Content-Security-Policy violation the browser reports on this page: the
    site sends a strict policy (no inline script or style) and must never break it."""
    if id(page) in CSP_VIOLATIONS:
        return
    found = CSP_VIOLATIONS[id(page)] = []

    def on_console(message):
        if "Content Security Policy" in message.text:
            found.append(f"{page.url}: {message.text}")

    page.on("console", on_console)


@pytest.fixture(scope="session")
def _axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


def format_violations(violations):
    lines = []
    for violation in violations:
        lines.append(
            f"[{violation['impact']}] {violation['id']}: {violation['help']} "
            f"({violation.get('helpUrl', '')})"
        )
        for node in violation["nodes"]:
            lines.append(f"    target {node['target']}: {node.get('failureSummary', '')}")
    return "\n".join(lines)


SCREENSHOTS_ENV = "ACADEMY_SCREENSHOTS"
SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@pytest.fixture
def screenshot(request):
    """Save a full-page screenshot of each step to var/screenshots/<test>/ when
    ACADEMY_SCREENSHOTS is set, so a reviewer can look at every page a journey visits."""
    if not os.environ.get(SCREENSHOTS_ENV):
        return lambda page, label="": None
    folder = SCREENSHOT_DIR / re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    counter = iter(range(1, 1000))

    def take(page, label=""):
        slug = re.sub(r"[^A-Za-z0-9]+", "-", label or page.url.split("://", 1)[-1]).strip("-")
        page.screenshot(path=str(folder / f"{next(counter):02d}-{slug[:80]}.png"), full_page=True)

    return take


@pytest.fixture
def axe_check(_axe, screenshot):
    """Run axe-core on the page as it is now; fail on any serious or critical violation.
    Each check is also a journey step: with ACADEMY_SCREENSHOTS set it is photographed."""

    def check(page):
        watch_csp(page)
        if CSP_VIOLATIONS[id(page)]:
            pytest.fail(
                "Content-Security-Policy violations:\n" + "\n".join(CSP_VIOLATIONS[id(page)]),
                pytrace=False,
            )
        screenshot(page)
        results = _axe.run(page)
        blocking = [
            v for v in results.response["violations"] if v.get("impact") in BLOCKING_IMPACTS
        ]
        if blocking:
            pytest.fail(
                f"Accessibility violations on {page.url}:\n" + format_violations(blocking),
                pytrace=False,
            )
        return results

    return check


def nav(page, *labels):
    """Follow the header's navigation as a visitor does: on a narrow screen open "Menu" first,
    then (given two labels) open the dropdown labelled labels[0], and click the link labels[-1].

    nav(page, "Manage", "Audit log") for a grouped link; nav(page, "Studio") or, for a learner
    (whose few links sit directly in the bar), nav(page, "Catalog"). Labels are the visible
    text in the page's language.
    """
    header = page.locator("header.usa-header")
    menu_button = header.locator(".usa-menu-btn")
    if menu_button.is_visible():
        menu_button.click()
    primary = header.locator("nav.usa-nav .usa-nav__primary")
    if len(labels) > 1:
        button = primary.get_by_role("button", name=labels[0], exact=True)
        if button.get_attribute("aria-expanded") != "true":
            button.click()
    primary.get_by_role("link", name=labels[-1], exact=True).click()


def sign_in(page, email, password="academy-demo", *, axe_check=None, t=None):
    """Sign in as a visitor does: open the home page (unless a page is open already, say the
    one after signing out), follow "Sign in" in the header, fill the form, land back home. Given axe_check, both pages on the way are checked (and photographed);
    given t, the header's labels are read in that language."""
    t = t or (lambda msgid: msgid)
    if page.url == "about:blank":
        page.goto("/")
        if axe_check:
            axe_check(page)
    nav(page, t("Sign in"))
    page.wait_for_url("**/accounts/login/*")
    if axe_check:
        axe_check(page)
    fill_sign_in_form(page, email, password, t=t, axe_check=axe_check)
    page.wait_for_url(re.compile(r"^[^?#]+://[^/]+/(\?.*)?$"))


def fill_sign_in_form(page, email, password="academy-demo", *, t=None, axe_check=None):
    """On the sign-in page: the email first and Continue, then the password and Sign in (an
    address of an agency with its own identity provider would go there instead)."""
    t = t or (lambda msgid: msgid)
    page.locator("#id_login").fill(email)
    page.locator("main form").get_by_role("button", name=t("Continue")).click()
    page.locator("#id_password").wait_for()
    if axe_check:
        axe_check(page)
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]").click()


def switch_language(page, name, t=None):
    """Choose a language in the header's switcher by its own name ("Français") and apply it;
    `t` gives the switcher's labels in the page's current language (English by default)."""
    t = t or (lambda msgid: msgid)
    header = page.locator("header.usa-header")
    menu_button = header.locator(".usa-menu-btn")
    if menu_button.is_visible():
        menu_button.click()
    header.get_by_label(t("Language"), exact=True).select_option(label=name)
    with page.expect_navigation():
        header.get_by_role("button", name=t("Change language")).click()
