"""A certificate that expires gives its credential `validUntil` (and `exp`), checked by the
verifier in plain words; an agency may include the result (final score) in its members'
credentials, from its own settings page."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from agencies.models import AuditEvent
from credentials.models import CredentialPolicy
from credentials.verify import credential_verify
from learning import services as learning
from tests.builders import build_course, finish_course

from .conftest import jwt_parts, published_jwk, rs256_holds

pytestmark = pytest.mark.django_db
SETTINGS = reverse("credentials:agency_settings")


def earn(world, capture, **course_settings):
    course = build_course(
        world.a_trainer, world.a, slug="renewable", publish=True, **course_settings
    )
    enrollment = learning.enrollment_create(user=world.a_learner, course=course)
    with capture(execute=True):
        finish_course(enrollment)
    return enrollment


def test_an_expiring_certificate_gives_the_credential_valid_until(
    world, client, django_capture_on_commit_callbacks
):
    enrollment = earn(world, django_capture_on_commit_callbacks, validity_months=12)
    certificate = enrollment.certificate
    credential = certificate.credential
    until = credential.document["validUntil"]
    assert until == certificate.expires_at.replace(microsecond=0).isoformat().replace("+00:00", "Z")
    header, claims = jwt_parts(credential.signed)
    assert claims["validUntil"] == until
    assert claims["exp"] == int(certificate.expires_at.replace(microsecond=0).timestamp())
    assert rs256_holds(credential.signed, published_jwk(client, header["kid"]))
    assert credential_verify(credential.signed).valid
    later = certificate.expires_at + datetime.timedelta(days=1)
    verdict = credential_verify(credential.signed, now=later)
    assert not verdict.valid
    dates = {str(c.label): str(c.detail) for c in verdict.checks}["Dates"]
    assert dates.startswith(f"It expired on {certificate.expires_at.date()}")


def test_a_course_without_validity_issues_credentials_without_expiry(
    world, django_capture_on_commit_callbacks
):
    enrollment = earn(world, django_capture_on_commit_callbacks)
    document = enrollment.certificate.credential.document
    assert enrollment.certificate.expires_at is None and "validUntil" not in document


def test_the_result_is_left_out_unless_the_agency_includes_it(
    world, django_capture_on_commit_callbacks
):
    document = earn(world, django_capture_on_commit_callbacks).certificate.credential.document
    assert "result" not in document["credentialSubject"]
    assert "resultDescription" not in document["credentialSubject"]["achievement"]


def test_the_agency_includes_the_result_from_its_settings_page(
    world, client_for, django_capture_on_commit_callbacks
):
    admin = client_for(world.a_admin)
    page = admin.get(SETTINGS)
    assert page.status_code == 200 and "Include the result" in page.content.decode()
    assert admin.post(SETTINGS, {"include_result": "on"}).status_code == 302
    assert CredentialPolicy.objects.get(agency=world.a).include_result is True
    assert AuditEvent.objects.filter(action="credentials.policy", agency=world.a).exists()
    enrollment = earn(world, django_capture_on_commit_callbacks)
    subject = enrollment.certificate.credential.document["credentialSubject"]
    (description,) = subject["achievement"]["resultDescription"]
    assert description["resultType"] == "Percent"
    assert subject["result"] == [
        {
            "type": ["Result"],
            "resultDescription": description["id"],
            "value": str(enrollment.final_score),
        }
    ]


def test_the_settings_page_is_for_agency_admins_and_stays_in_their_agency(world, client_for):
    assert client_for(world.a_manager).get(SETTINGS).status_code == 404
    assert client_for(world.a_learner).get(SETTINGS).status_code == 404
    b_admin = client_for(world.b_admin)
    assert b_admin.post(SETTINGS, {"include_result": "on"}).status_code == 302
    assert CredentialPolicy.objects.get(agency=world.b).include_result is True
    assert not CredentialPolicy.objects.filter(agency=world.a).exists()  # A is untouched


def test_the_settings_page_is_in_french(world, client_for):
    admin = client_for(world.a_admin)
    page = admin.get(SETTINGS, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Inclure le résultat" in page


def test_the_certificate_and_verify_pages_show_the_expiry(
    world, client_for, client, django_capture_on_commit_callbacks
):
    enrollment = earn(world, django_capture_on_commit_callbacks, validity_months=12)
    code = enrollment.certificate.code
    page = client_for(world.a_learner).get(reverse("learning:certificate", args=[code]))
    assert "Valid until" in page.content.decode()
    client.logout()
    with time_machine.travel(enrollment.certificate.expires_at + datetime.timedelta(days=2)):
        public = client.get(reverse("learning:verify", args=[code])).content.decode()
        pdf = client_for(world.a_learner).get(reverse("learning:certificate_pdf", args=[code]))
    assert "This certificate expired on" in public and "Expired" in public
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
