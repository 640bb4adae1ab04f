"""The agency admin's LRS page: settings (secret never shown back), the queue, resend;
agency A's admin never sees or changes agency B's."""

import pytest
from django.urls import reverse

from agencies.models import AuditEvent
from learning import services as learning
from xapi.models import LrsConfig, OutboxStatement, Outcome

from .conftest import configure

pytestmark = pytest.mark.django_db

URL = "/agency/xapi/"


def form_data(**kw):
    data = {
        "endpoint": "https://lrs.a.gov/xAPI/",
        "key": "academy",
        "secret": "the-secret-value",
        "version": "1.0.3",
        "actor_format": "account",
        "activities": ["enrolled", "completions"],
        "enabled": "on",
    }
    data.update(kw)
    return data


def test_the_page_is_linked_from_the_agency_admins_navigation(world, client_for):
    response = client_for(world.a_admin).get(reverse("agencies:agency_settings"))
    assert URL.encode() in response.content
    assert reverse("xapi:settings") == URL


def test_admin_configures_the_lrs_and_the_secret_is_never_shown_back(world, client_for):
    client = client_for(world.a_admin)
    response = client.post(URL, form_data())
    assert response.status_code == 302
    config = LrsConfig.objects.get(agency=world.a)
    assert (config.endpoint, config.secret, config.activities) == (
        "https://lrs.a.gov/xAPI/",
        "the-secret-value",
        ["completions", "enrolled"],
    )
    page = client.get(URL).content.decode()
    assert "the-secret-value" not in page and "https://lrs.a.gov/xAPI/" in page
    # A blank secret keeps the stored one.
    client.post(URL, form_data(secret="", key="other"))
    config.refresh_from_db()
    assert (config.key, config.secret) == ("other", "the-secret-value")
    event = AuditEvent.objects.filter(action="xapi.config_update").latest("id")
    assert "the-secret-value" not in str(event.changes)


def test_a_new_configuration_needs_a_secret_and_an_http_endpoint(world, client_for):
    client = client_for(world.a_admin)
    response = client.post(URL, form_data(secret=""))
    assert response.status_code == 200 and not LrsConfig.objects.exists()
    response = client.post(URL, form_data(endpoint="ftp://lrs.a.gov/"))
    assert response.status_code == 200 and not LrsConfig.objects.exists()


def test_the_page_shows_the_queue_and_refused_reasons(
    world, course, lrs_a, client_for, django_assert_num_queries
):
    learning.enrollment_create(user=world.a_learner, course=course)
    learning.enrollment_create(user=world.a_ops_learner, course=course)
    OutboxStatement.objects.filter(pk=OutboxStatement.objects.first().pk).update(
        status=Outcome.FAILED, error="HTTP 400: bad actor"
    )
    client = client_for(world.a_admin)
    client.get(URL)
    with django_assert_num_queries(6):
        page = client.get(URL).content.decode()
    assert "1 statement waiting to be sent" in page
    assert "HTTP 400: bad actor" in page
    assert "Resend refused statements" in page


def test_agency_b_admin_sees_and_changes_only_agency_b(world, course, lrs_a, client_for):
    learning.enrollment_create(user=world.a_learner, course=course)
    OutboxStatement.objects.update(status=Outcome.FAILED, error="HTTP 400: only in A")
    client = client_for(world.b_admin)
    page = client.get(URL).content.decode()
    assert lrs_a.endpoint not in page and "only in A" not in page
    assert "0 statements refused" in page
    client.post(URL, form_data(endpoint="https://lrs.b.gov/xAPI/"))
    client.post(reverse("xapi:resend_failed"))
    assert LrsConfig.objects.get(agency=world.a).endpoint == lrs_a.endpoint
    assert LrsConfig.objects.get(agency=world.b).endpoint == "https://lrs.b.gov/xAPI/"
    assert OutboxStatement.objects.get().status == Outcome.FAILED


@pytest.mark.parametrize("who", ["a_learner", "a_manager", "a_trainer"])
def test_people_who_are_not_agency_admins_get_404(world, client_for, who):
    client = client_for(getattr(world, who))
    assert client.get(URL).status_code == 404
    assert client.post(reverse("xapi:resend_failed")).status_code == 404
    assert client.post(URL, form_data()).status_code == 404
    assert not LrsConfig.objects.exists()


def test_resend_puts_failed_statements_back_in_the_queue(world, course, lrs_a, client_for):
    learning.enrollment_create(user=world.a_learner, course=course)
    OutboxStatement.objects.update(status=Outcome.FAILED, error="HTTP 400")
    response = client_for(world.a_admin).post(reverse("xapi:resend_failed"))
    assert response.status_code == 302
    assert OutboxStatement.objects.get().status == Outcome.WAITING
    assert AuditEvent.objects.filter(action="xapi.resend").exists()


def test_the_page_in_french(world, client_for):
    configure(world, world.a, world.a_admin)
    client = client_for(world.a_admin)
    page = client.get(URL, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Entrepôt de données d’apprentissage (xAPI)" in page
    assert "0 déclaration en attente d’envoi" in page
    assert "0 déclaration envoyée (au cours des 30 derniers jours)" in page
    assert "Identifier les personnes par" in page
    assert "Inscriptions (registered)" in page
