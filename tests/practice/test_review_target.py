"""The agency's review target: set by its admins on the Agency settings page, falling back to
PRACTICE_REVIEW_TARGET_HOURS, used by the dashboard panel (and the reminders)."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from agencies.models import AuditEvent
from practice import selectors, services
from practice.models import PracticeSettings

pytestmark = pytest.mark.django_db

SETTINGS = reverse("agencies:agency_settings")


def post_target(client, value):
    return client.post(SETTINGS, {"section": "practice", "practice-review_target_hours": value})


def test_an_agency_admin_sets_the_target_on_the_agency_settings_page(world, client_for):
    client = client_for(world.a_admin)
    page = client.get(SETTINGS).content.decode()
    assert "Practice task reviews" in page and 'name="practice-review_target_hours"' in page
    response = post_target(client, "24")
    assert response.status_code == 302
    assert PracticeSettings.objects.get(agency=world.a).review_target_hours == 24
    assert selectors.review_target_hours(world.a.pk) == 24
    assert selectors.review_target_hours(world.b.pk) == 72  # B keeps the platform's
    assert 'value="24"' in client.get(SETTINGS).content.decode()
    assert AuditEvent.objects.filter(action="practice.review_target", agency=world.a).exists()
    world.a.refresh_from_db()
    assert world.a.name == "Agency A"  # the agency's own form was not touched


@pytest.mark.parametrize("value", ["0", "-3", "721", "soon", "1.5"])
def test_bad_values_are_field_errors_and_nothing_is_written(world, client_for, value):
    response = post_target(client_for(world.a_admin), value)
    assert response.status_code == 200
    assert "usa-error-message" in response.content.decode()
    assert not PracticeSettings.objects.exists()


def test_an_empty_target_goes_back_to_the_platforms(world, client_for, settings):
    settings.PRACTICE_REVIEW_TARGET_HOURS = 48
    client = client_for(world.a_admin)
    post_target(client, "12")
    assert selectors.review_target_hours(world.a.pk) == 12
    assert post_target(client, "").status_code == 302
    assert not PracticeSettings.objects.exists()
    assert selectors.review_target_hours(world.a.pk) == 48


def test_each_admin_sets_only_their_own_agency(world, client_for):
    post_target(client_for(world.b_admin), "5")
    assert list(PracticeSettings.objects.values_list("agency_id", "review_target_hours")) == [
        (world.b.pk, 5)
    ]
    with pytest.raises(ValidationError):
        services.review_target_set(actor=world.b_admin, agency=world.a, hours=10)
    assert not PracticeSettings.objects.filter(agency=world.a).exists()


def test_trainers_and_managers_cannot_open_the_settings(world, client_for):
    for user in (world.a_trainer, world.a_manager):
        response = post_target(client_for(user), "5")
        assert response.status_code in (403, 404)
    assert not PracticeSettings.objects.exists()


def test_the_dashboard_panel_uses_each_agencys_target(world, enrollment, django_assert_num_queries):
    with time_machine.travel(timezone.now() - timedelta(hours=30), tick=False):
        services.submission_submit(
            enrollment=enrollment, task_key="rewrite-prompt", text="Mine", base_version=0
        )
    own = SimpleNamespace(agency=world.a, unit=None)
    everyone = SimpleNamespace(agency=None, unit=None)
    assert (
        selectors.review_figures(own)["late"],
        selectors.review_figures(own)["target_hours"],
    ) == (0, 72)
    services.review_target_set(actor=world.b_admin, agency=world.b, hours=2)
    assert selectors.review_figures(everyone)["late"] == 0  # B's target is not A's
    services.review_target_set(actor=world.a_admin, agency=world.a, hours=24)
    selectors.review_targets()  # cached after the first read
    with django_assert_num_queries(1):
        figures = selectors.review_figures(own)
    assert (figures["waiting"], figures["late"], figures["target_hours"]) == (1, 1, 24)
    platform = selectors.review_figures(everyone)
    assert (platform["late"], platform["target_hours"]) == (1, None)
