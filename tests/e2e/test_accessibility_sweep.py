"""Every page each role can reach, in English and French, passes axe-core in Chromium.

The journeys check the pages they pass through; this sweep covers the rest, on the demo world,
so a page nobody's journey visits cannot regress unnoticed.
"""

import io
import time

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tests.builders import build_course
from tests.e2e.conftest import fill_sign_in_form

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BLOCKING = {"serious", "critical"}


@pytest.fixture
def demo(db):
    from academy.demo import run_seeders
    from accounts.models import User

    run_seeders(stdout=io.StringIO())
    _give_authenticators()
    trainer = User.objects.get(email="trainer@demo.gov")
    course = build_course(
        trainer, trainer.membership.agency, slug="sweep-course", title="Sweep course", publish=True
    )
    return course


def _ids(course):
    from accounts.models import User
    from agencies.models import Membership, Unit
    from learning.models import Certificate, QuizAttempt
    from live.models import LiveSession
    from reminders.access import assignees_visible_to, assignments_visible_to

    lesson = course.lessons.order_by("position").first()
    quiz = course.quizzes.first()
    attempt = QuizAttempt.objects.filter(
        enrollment__user__email="learner@demo.gov", submitted_at__isnull=False
    ).first()
    certificate = Certificate.objects.filter(issued_for__user__email="learner@demo.gov").first()
    return {
        "course": course,
        "lesson": lesson,
        "quiz": quiz,
        "module": course.modules.first(),
        "question": quiz.questions.first(),
        "attempt": attempt,
        "certificate": certificate,
        "assignment": assignments_visible_to(User.objects.get(email="manager@demo.gov")).first(),
        "assignee": assignees_visible_to(User.objects.get(email="manager@demo.gov"))
        .filter(assignment__in=assignments_visible_to(User.objects.get(email="manager@demo.gov")))
        .order_by("assignment__created_at", "pk")
        .first(),
        "member": Membership.objects.get(user__email="learner@demo.gov"),
        "live_next": LiveSession.objects.get(title="Prompting clinic"),
        "live_past": LiveSession.objects.filter(ends_at__lt=timezone.now()).first(),
        "unit": Unit.objects.get(agency__slug="demo-agency", name="Data Team"),
    }


def _pages(role, ids):
    c = ids["course"].pk
    pages = {
        "anonymous": [
            "/",
            reverse("account_login"),
            reverse("account_signup"),
            reverse("account_reset_password"),
            reverse("learning:verify", args=[ids["certificate"].code]),
            reverse("credentials:verify"),
            reverse("help"),
            reverse("accessibility"),
            reverse("privacy"),
            "/no-such-page/",
        ],
        "learner@demo.gov": [
            "/",
            reverse("learning:my_learning"),
            reverse("courses:catalog"),
            reverse("courses:catalog") + "?q=prompt&level=beginner",
            reverse("courses:course_detail", args=["genai-fundamentals"]),
            reverse("learning:course", args=["genai-fundamentals"]),
            reverse("learning:lesson", args=["genai-fundamentals", "what-is-genai"]),
            reverse("learning:attempt_result", args=[ids["attempt"].pk]),
            reverse("learning:certificate", args=[ids["certificate"].code]),
            reverse("reminders:notifications"),
            reverse("reminders:preferences"),
            reverse("account_email"),
            reverse("account_change_password"),
            reverse("mfa_index"),
            reverse("live:upcoming"),
            reverse("live:upcoming") + "?format=online&language=en",
            reverse("live:upcoming") + "?topic=prompting",
            reverse("live:detail", args=[ids["live_next"].pk]),
            reverse("live:detail", args=[ids["live_past"].pk]),
            reverse("live:calendar"),
            reverse("policies:read"),
        ],
        "trainer@demo.gov": [
            reverse("studio:course_list"),
            reverse("studio:course_create"),
            reverse("studio:course_import"),
            reverse("studio:outline", args=[c]),
            reverse("studio:course_edit", args=[c]),
            reverse("studio:version_list", args=[c]),
            reverse("studio:course_preview", args=[c]),
            reverse("studio:answer_key", args=[c]),
            reverse("studio:module_rename", args=[c, ids["module"].pk]),
            reverse("studio:module_delete", args=[c, ids["module"].pk]),
            reverse("studio:lesson_add", args=[c, ids["module"].pk]),
            reverse("studio:lesson_edit", args=[c, ids["lesson"].pk]),
            reverse("studio:lesson_delete", args=[c, ids["lesson"].pk]),
            reverse("studio:quiz_add", args=[c]),
            reverse("studio:quiz_edit", args=[c, ids["quiz"].pk]),
            reverse("studio:question_add", args=[c, ids["quiz"].pk]),
            reverse("studio:question_edit", args=[c, ids["question"].pk]),
            reverse("studio:version_restore", args=[c, 1]),
            reverse("live_studio:list"),
            reverse("live_studio:create"),
            reverse("live_studio:edit", args=[ids["live_next"].pk]),
            reverse("live_studio:roster", args=[ids["live_next"].pk]),
            reverse("live_studio:roster", args=[ids["live_past"].pk]),
        ],
        "manager@demo.gov": [
            reverse("reports:dashboard"),
            reverse("reports:dashboard") + f"?unit={ids['unit'].pk}&required=1",
            reverse("reports:overdue"),
            reverse("reports:run_list"),
            reverse("reminders:assignment_list"),
            reverse("reminders:assignment_create"),
            reverse("reminders:assignment_detail", args=[ids["assignment"].pk]),
            reverse("reminders:assignment_edit", args=[ids["assignee"].assignment_id]),
            reverse(
                "reminders:assignee_exception",
                args=[ids["assignee"].assignment_id, ids["assignee"].pk],
            ),
            reverse("reminders:overdue"),
            reverse("agencies:member_list"),
            reverse("agencies:member_invite"),
            reverse("agencies:member_edit", args=[ids["member"].pk]),
            reverse("agencies:unit_list"),
            reverse("agencies:unit_edit", args=[ids["unit"].pk]),
            reverse("policies:status"),
            reverse("policies:status") + "?status=pending",
        ],
        "agencyadmin@demo.gov": [
            reverse("agencies:audit_log"),
            reverse("agencies:agency_settings"),
            reverse("provisioning:token_list"),
            reverse("sso:provider_list"),
            reverse("sso:provider_new", args=["oidc"]),
            reverse("sso:provider_new", args=["saml"]),
            reverse("api:client_list"),
            reverse("learning:history_import"),
            reverse("reminders:policy"),
            reverse("learning:certificate_list"),
            reverse("learning:certificate_revoke", args=[ids["certificate"].code]),
            reverse("xapi:settings"),
            reverse("credentials:agency_settings"),
            reverse("ehri:feed"),
            reverse("ehri:courses"),
            reverse("ehri:coding", args=[c]),
            reverse("ehri:employee_ids"),
            reverse("ehri:sessions"),
            reverse("policies:manage"),
            reverse("policies:version", args=[1]),
        ],
        "platformadmin@demo.gov": [
            reverse("agencies:agency_list"),
            reverse("reports:platform"),
            reverse("agencies:audit_log"),
            reverse("api:platform_client_list"),
            reverse("credentials:keys"),
            reverse("live:sharing_requests"),
        ],
    }
    return pages[role]


ROLES = [
    "anonymous",
    "learner@demo.gov",
    "trainer@demo.gov",
    "manager@demo.gov",
    "agencyadmin@demo.gov",
    "platformadmin@demo.gov",
]


def _sign_in(page, email):
    page.goto(reverse("account_login"))
    fill_sign_in_form(page, email, settings.ACADEMY_DEMO_PASSWORD)
    page.wait_for_load_state()
    if email in NEEDS_MFA:
        page.locator("#id_code").fill(_totp_code(NEEDS_MFA[email]))
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()


# Platform admins must use MFA: the sweep gives the demo one an authenticator with this secret
# and types the current code at the second step, as the person would from their app.
NEEDS_MFA = {"platformadmin@demo.gov": "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"}


def _give_authenticators():
    from allauth.mfa.totp.internal.auth import TOTP

    from accounts.models import User

    for email, secret in NEEDS_MFA.items():
        TOTP.activate(User.objects.get(email=email), secret)


_used_counters = set()


def _totp_code(secret):
    """The current code; a code is accepted once, so a second sign-in in the same 30 seconds
    waits for the next one."""
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    while (counter := int(time.time()) // 30) in _used_counters:
        time.sleep(1)
    _used_counters.add(counter)
    return format_hotp_value(hotp_value(secret, counter))


def _problems_on(page, _axe, url, expected_status):
    response = page.goto(url)
    problems = []
    if response is None or response.status != expected_status:
        status = response.status if response else "no response"
        problems.append(f"{url}: HTTP {status}, expected {expected_status}")
    for violation in _axe.run(page).response["violations"]:
        if violation.get("impact") in BLOCKING:
            targets = [node["target"] for node in violation["nodes"][:3]]
            problems.append(f"{url}: [{violation['impact']}] {violation['id']} {targets}")
    return problems


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_page_of_every_role_passes_axe(demo, browser, live_server, _axe, language):
    ids = _ids(demo)
    problems = []
    for role in ROLES:
        context = browser.new_context(base_url=live_server.url)
        context.add_cookies(
            [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
        )
        context.set_default_timeout(15_000)
        page = context.new_page()
        if role != "anonymous":
            _sign_in(page, role)
        for url in _pages(role, ids):
            expected = 404 if url == "/no-such-page/" else 200
            problems += _problems_on(page, _axe, url, expected)
            assert page.locator("html").get_attribute("lang") == language, url
        context.close()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("role", ["learner@demo.gov", "manager@demo.gov"])
def test_pages_fit_a_phone_screen(demo, browser, live_server, _axe, role):
    """At a phone's width nothing scrolls sideways, the menu opens, and axe stays clean."""
    ids = _ids(demo)
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 375, "height": 740},
        is_mobile=True,
        has_touch=True,
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    _sign_in(page, role)
    problems = []
    for url in _pages(role, ids):
        problems += _problems_on(page, _axe, url, 200)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        if overflow > 0:
            problems.append(f"{url}: scrolls sideways by {overflow}px at 375px wide")
    page.goto("/")
    page.get_by_role("button", name="Menu").click()
    if role != "learner@demo.gov":  # a learner's links sit in the menu directly, others' grouped
        page.get_by_role("button", name="Learning", exact=True).click()
    assert page.get_by_role("link", name="Catalog").is_visible()
    context.close()
    assert not problems, "\n".join(problems)
