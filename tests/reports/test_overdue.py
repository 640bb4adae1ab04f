"""One overdue list (reports:overdue) with one definition, per-row reminders and a confirmed
"remind everyone overdue" (issue 11)."""

import datetime
import html as html_lib
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.urls import reverse

from learning import services as learning
from reminders import services as reminders
from reminders.models import Assignee, Kind, ReminderLog, TargetKind
from reports.access import dashboard_scope
from reports.selectors import dashboard_figures

pytestmark = pytest.mark.django_db

OVERDUE = reverse("reports:overdue")
REMIND_ALL = reverse("reminders:nudge_overdue")


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(datetime.datetime(2025, 3, 12, 12, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def assigned(dash, django_capture_on_commit_callbacks):
    """d2 (Data) is overdue on c1 through an assignment; o2 (Ops) is overdue on c1 without
    one (made required directly); a recommended enrollment with a past due date is not overdue."""
    w = dash.w
    with django_capture_on_commit_callbacks(execute=True):
        reminders.assignment_create(
            actor=w.a_admin,
            course=dash.c1,
            target=TargetKind.PEOPLE,
            people=[dash.d2],
            due_on=datetime.date(2025, 3, 5),
            now=datetime.datetime(2025, 2, 20, 12, tzinfo=datetime.UTC),
        )
    learning.enrollment_create(user=dash.d2, course=dash.c2, due_on=datetime.date(2025, 3, 1))
    return Assignee.objects.get(user=dash.d2)


def test_overdue_means_required_open_and_past_due_on_the_list_and_the_dashboard(
    dash, assigned, client_for
):
    html = client_for(dash.w.a_admin).get(OVERDUE).content.decode()
    assert "What overdue means" in html
    assert "2 overdue trainings" in html
    assert html.count("d2@a.gov</span>") == 1  # c1 only: the optional c2 is not overdue
    headline = dashboard_figures(dashboard_scope(dash.w.a_admin))["headline"]
    assert headline["overdue"] == 2


def test_rows_say_why_a_reminder_is_not_possible_and_offer_one_otherwise(
    dash, assigned, client_for
):
    html = client_for(dash.w.a_admin).get(OVERDUE).content.decode()
    assert f'action="{reverse("reminders:nudge", args=[assigned.pk])}"' in html
    assert "Send a reminder" in html
    assert html.count("Not possible: not assigned") == 1  # o2
    assert 'href="#why-no-reminder"' in html and 'id="why-no-reminder"' in html


def test_a_row_reminded_today_says_so(dash, assigned, client_for):
    client = client_for(dash.w.a_admin)
    response = client.post(
        reverse("reminders:nudge", args=[assigned.pk]), {"next": OVERDUE}, follow=True
    )
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == OVERDUE
    assert "Reminder sent to" in html and "Reminded today" in html
    assert "Send a reminder" not in html


def test_filters_narrow_the_list(dash, assigned, client_for):
    w = dash.w
    client = client_for(w.a_admin)
    data = client.get(OVERDUE, {"unit": w.data.pk}).content.decode()
    assert "d2@a.gov" in data and "o2@a.gov" not in data
    other_course = client.get(OVERDUE, {"course": dash.c2.pk}).content.decode()
    assert "No one is overdue." in other_course


def test_the_reminders_address_redirects_permanently_with_its_filters(dash, client_for):
    response = client_for(dash.w.a_admin).get(
        reverse("reminders:overdue"), {"unit": dash.w.data.pk}
    )
    assert response.status_code == 301
    assert response["Location"] == f"{OVERDUE}?unit={dash.w.data.pk}"


def test_remind_everyone_asks_first_with_the_number_of_people(
    dash, assigned, client_for, mailoutbox, django_capture_on_commit_callbacks
):
    client = client_for(dash.w.a_admin)
    list_html = client.get(OVERDUE).content.decode()
    assert f'href="{REMIND_ALL}?"' in list_html
    confirm = client.get(REMIND_ALL).content.decode()
    assert "This will send a reminder to 1 person." in confirm
    assert "1 overdue training is not part of an assignment" in confirm
    assert not ReminderLog.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(REMIND_ALL, follow=True)
    assert response.redirect_chain[-1][0] == OVERDUE
    assert "1 reminder sent to people overdue." in response.content.decode()
    assert list(ReminderLog.objects.values_list("kind", "recipient__email")) == [
        (Kind.NUDGE, "d2@a.gov")
    ]
    assert len(mailoutbox) == 1


def test_remind_everyone_keeps_the_filters_of_the_list(
    dash, assigned, client_for, django_capture_on_commit_callbacks
):
    w = dash.w
    client = client_for(w.a_admin)
    list_html = client.get(OVERDUE, {"unit": w.ops.pk}).content.decode()
    assert f'href="{REMIND_ALL}?unit={w.ops.pk}"' in list_html
    confirm = client.get(REMIND_ALL, {"unit": w.ops.pk}).content.decode()
    assert "No one can be reminded now." in confirm
    assert f'name="unit" value="{w.ops.pk}"' not in confirm  # nothing to send: no form
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(REMIND_ALL, {"unit": w.ops.pk})
    assert response["Location"] == f"{OVERDUE}?unit={w.ops.pk}"
    assert not ReminderLog.objects.exists()


@pytest.mark.parametrize(
    "who, params",
    [
        ("b_admin", {"unit": "data"}),
        ("b_admin", {"course": "c1"}),
        ("b_manager", {"agency": "a"}),
        ("a_manager", {"unit": "ops"}),
        ("a_admin", {"agency": "b"}),
        ("a_admin", {"course": "cb"}),
        ("a_learner", {}),
    ],
)
def test_remind_everyone_outside_scope_is_404(dash, assigned, client_for, who, params):
    w = dash.w
    params = {k: (getattr(w, v, None) or getattr(dash, v)).pk for k, v in params.items()}
    client = client_for(getattr(w, who))
    assert client.get(REMIND_ALL, params).status_code == 404
    assert client.post(REMIND_ALL, params).status_code == 404
    assert not ReminderLog.objects.exists()


def test_other_agency_sees_none_of_these_overdue_people(dash, assigned, client_for):
    html = client_for(dash.w.b_admin).get(OVERDUE).content.decode()
    assert "d2@a.gov" not in html and "o2@a.gov" not in html
    confirm = client_for(dash.w.b_admin).get(REMIND_ALL).content.decode()
    assert "This will send a reminder" not in confirm


def test_confirmation_page_has_exact_queries(dash, assigned, client_for, django_assert_num_queries):
    client = client_for(dash.w.a_admin)
    client.get(REMIND_ALL)  # warm the session
    # user, the unit filter, the one summary query (the session and the membership come from
    # the cache, and the session is renewed at most once a minute)
    with django_assert_num_queries(3):
        response = client.get(REMIND_ALL, {"unit": dash.w.data.pk})
    assert response.status_code == 200


def test_the_dashboards_overdue_count_links_to_the_one_list_with_its_filters(
    dash, assigned, client_for
):
    """The dashboard's Overdue figure is a link to the same list, keeping the dashboard's
    filters, and both count the same people (issue 10, item 11)."""
    client = client_for(dash.w.a_admin)
    page = client.get(reverse("reports:dashboard"), {"unit": dash.w.data.pk}).content.decode()
    link = re.search(rf'<a href="({re.escape(OVERDUE)}\?[^"]*)">(\d+)<span', page)
    assert link, "no link from the Overdue figure to the overdue list"
    url, count = html_lib.unescape(link.group(1)), int(link.group(2))
    assert parse_qs(urlsplit(url).query)["unit"] == [str(dash.w.data.pk)]
    listed = client.get(url).content.decode()
    assert count == 1 and "d2@a.gov" in listed and "o2@a.gov" not in listed
