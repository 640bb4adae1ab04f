"""A completed course's certificate becomes a signed OpenBadgeCredential; the signature is
checked here with `cryptography` against the key the DID document publishes."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from credentials import services
from credentials.document import hashed_email
from credentials.identity import issuer_did, status_list_url
from credentials.models import Credential, IssuerKey
from learning import services as learning
from tests.builders import finish_course

from .conftest import jwt_parts, published_jwk, rs256_holds

pytestmark = pytest.mark.django_db


def test_completion_issues_a_credential_signed_rs256_that_cryptography_verifies(client, credential):
    header, payload = jwt_parts(credential.signed)
    assert header["alg"] == "RS256" and header["typ"] == "JWT"
    assert header["kid"] == f"{issuer_did()}#{credential.key.kid}"
    assert rs256_holds(credential.signed, published_jwk(client, header["kid"]))
    assert payload["iss"] == issuer_did() and payload["jti"] == credential.document["id"]


def test_credential_is_an_open_badge_about_the_course_and_the_learner(world, certificate):
    document = certificate.credential.document
    assert document["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert document["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert document["issuer"]["type"] == ["Profile"] and document["issuer"]["id"] == issuer_did()
    assert document["validFrom"].endswith("Z")
    subject = document["credentialSubject"]
    achievement = subject["achievement"]
    assert achievement["type"] == ["Achievement"]
    assert achievement["name"] == certificate.course_title
    assert certificate.course_title in achievement["criteria"]["narrative"]
    name, email = subject["identifier"]
    assert name["identityHash"] == certificate.learner_name and not name["hashed"]
    assert email["hashed"] and email["identityType"] == "emailAddress"
    assert email["identityHash"] == hashed_email(world.a_learner.email, email["salt"])
    assert world.a_learner.email not in str(document)
    status = document["credentialStatus"]
    assert status["type"] == "BitstringStatusListEntry"
    assert status["statusPurpose"] == "revocation"
    assert status["statusListCredential"] == status_list_url()
    assert status["statusListIndex"] == str(certificate.credential.status_index)


def test_issuing_twice_keeps_the_first_credential(certificate):
    first = certificate.credential
    again = services.credential_issue(certificate=certificate)
    assert again.pk == first.pk and Credential.objects.count() == 1


def test_each_credential_gets_its_own_status_bit(world, course, certificate):
    enrollment = learning.enrollment_create(user=world.a_ops_learner, course=course)
    finish_course(enrollment)  # no on-commit here: issued on demand instead
    other = services.credential_issue(certificate=enrollment.certificate)
    assert other.status_index != certificate.credential.status_index


def test_no_credential_until_the_completion_commits(world, course):
    enrollment = learning.enrollment_create(user=world.a_learner, course=course)
    finish_course(enrollment)  # the test transaction never commits, so its callbacks never run
    assert not Credential.objects.exists()


def test_rotation_keeps_old_keys_published_and_their_credentials_verifiable(client, credential):
    old_key = credential.key
    call_command("credentials_rotate_key", stdout=open("/dev/null", "w"))
    old_key.refresh_from_db()
    assert not old_key.active and old_key.retired_at is not None
    new_key = IssuerKey.objects.get(active=True)
    assert new_key.kid != old_key.kid
    kids = {key["kid"] for key in client.get(reverse("credentials:jwks")).json()["keys"]}
    assert kids == {f"{issuer_did()}#{old_key.kid}", f"{issuer_did()}#{new_key.kid}"}
    header, _ = jwt_parts(credential.signed)
    assert rs256_holds(credential.signed, published_jwk(client, header["kid"]))


def test_after_rotation_new_credentials_are_signed_by_the_new_key(world, course, credential):
    new_key = services.issuer_key_rotate()
    enrollment = learning.enrollment_create(user=world.a_ops_learner, course=course)
    finish_course(enrollment)
    assert services.credential_issue(certificate=enrollment.certificate).key == new_key


def test_revoking_the_certificate_revokes_its_credential(world, certificate):
    learning.certificate_revoke(actor=world.a_admin, certificate=certificate, reason="Fraud")
    certificate.credential.refresh_from_db()
    assert certificate.credential.revoked_at is not None


def test_a_certificate_revoked_before_its_credential_gets_a_revoked_one(world, course):
    enrollment = learning.enrollment_create(user=world.a_learner, course=course)
    finish_course(enrollment)
    certificate = learning.certificate_revoke(
        actor=world.a_admin, certificate=enrollment.certificate, reason="Mistake"
    )
    assert services.credential_issue(certificate=certificate).revoked_at is not None
