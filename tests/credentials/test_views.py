"""The learner's downloads and share link, the public verification of a pasted credential, and
the walls between agencies."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from credentials.models import Credential

from .conftest import b64url_encode, jwt_parts

pytestmark = pytest.mark.django_db


def test_certificate_page_offers_the_credential_and_a_share_link(
    world, client_for, certificate, django_assert_max_num_queries
):
    learner = client_for(world.a_learner)
    url = reverse("learning:certificate", args=[certificate.code])
    learner.get(url)  # warm the session and placement caches
    with django_assert_max_num_queries(6):
        page = learner.get(url).content.decode()
    assert reverse("credentials:credential_jwt", args=[certificate.code]) in page
    assert reverse("credentials:credential_json", args=[certificate.code]) in page
    assert f"http://testserver/verify/{certificate.code}/" in page
    assert "linkedin.com/profile/add?" in page


def test_learner_downloads_the_signed_credential_and_its_readable_copy(
    world, client_for, credential
):
    learner = client_for(world.a_learner)
    code = credential.certificate.code
    signed = learner.get(reverse("credentials:credential_jwt", args=[code]))
    assert signed["Content-Type"] == "application/vc+jwt"
    assert f'filename="credential-{code}.jwt"' in signed["Content-Disposition"]
    assert signed.content.decode() == credential.signed
    readable = learner.get(reverse("credentials:credential_json", args=[code]))
    assert json.loads(readable.content) == credential.document


def test_download_issues_a_credential_not_yet_signed(world, client_for, certificate):
    Credential.objects.all().delete()  # as if the worker had not run yet
    learner = client_for(world.a_learner)
    token = learner.get(
        reverse("credentials:credential_jwt", args=[certificate.code])
    ).content.decode()
    assert jwt_parts(token)[1]["name"] == certificate.course_title
    assert Credential.objects.count() == 1


def test_other_agency_and_other_learners_get_404_on_downloads(world, client_for, certificate):
    for user in (world.b_admin, world.b_learner, world.a_ops_learner):
        client = client_for(user)
        for name in ("credentials:credential_jwt", "credentials:credential_json"):
            assert client.get(reverse(name, args=[certificate.code])).status_code == 404


def test_downloads_need_signing_in(client, certificate):
    response = client.get(reverse("credentials:credential_jwt", args=[certificate.code]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_public_verify_page_offers_to_check_a_credential(client, certificate):
    page = client.get(reverse("learning:verify", args=[certificate.code])).content.decode()
    assert f'action="{reverse("credentials:verify")}"' in page
    assert 'enctype="multipart/form-data"' in page


def test_pasting_a_genuine_credential_says_valid(client, credential, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        response = client.post(reverse("credentials:verify"), {"text": credential.signed})
    page = response.content.decode()
    assert "usa-alert--success" in page and "has not been revoked" in page
    assert credential.certificate.learner_name in page


def test_uploading_the_credential_file_says_valid(client, credential):
    upload = SimpleUploadedFile("credential.jwt", credential.signed.encode())
    page = client.post(reverse("credentials:verify"), {"file": upload}).content.decode()
    assert "usa-alert--success" in page


def test_a_tampered_credential_says_not_valid_and_why(client, credential):
    header, payload, signature = credential.signed.split(".")
    claims = jwt_parts(credential.signed)[1]
    claims["name"] = "Something else"
    forged = f"{header}.{b64url_encode(json.dumps(claims).encode())}.{signature}"
    page = client.post(reverse("credentials:verify"), {"text": forged}).content.decode()
    assert "Not valid" in page and "usa-alert--error" in page
    assert "Something else" not in page


def test_posting_nothing_asks_for_a_credential(client, db):
    page = client.post(reverse("credentials:verify"), {"text": "  "}).content.decode()
    assert "Paste a credential or choose a file." in page


def test_verify_page_answers_in_french(client, credential):
    page = client.post(
        reverse("credentials:verify"), {"text": credential.signed}, HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    assert "Vérifier" in page


def test_platform_admin_rotates_the_key_from_the_keys_page(
    world, client_for, credential, django_assert_max_num_queries
):
    from agencies.models import AuditEvent
    from credentials.models import IssuerKey

    admin = client_for(world.platform_admin)
    admin.get(reverse("credentials:keys"))
    with django_assert_max_num_queries(6):
        page = admin.get(reverse("credentials:keys")).content.decode()
    assert credential.key.kid in page and "Active" in page
    response = admin.post(reverse("credentials:key_rotate"))
    assert response.status_code == 302
    assert IssuerKey.objects.count() == 2
    page = admin.get(reverse("credentials:keys")).content.decode()
    assert "Retired on" in page
    event = AuditEvent.objects.get(action="credentials.key_rotate")
    assert event.actor == world.platform_admin
    assert event.changes["active_key"][0] == credential.key.kid


def test_only_platform_admins_see_or_rotate_keys(world, client, client_for, credential):
    for user in (world.a_admin, world.a_learner, world.b_admin):
        other = client_for(user)
        assert other.get(reverse("credentials:keys")).status_code == 404
        assert other.post(reverse("credentials:key_rotate")).status_code == 404
    client.logout()
    assert client.post(reverse("credentials:key_rotate")).status_code == 302
    from credentials.models import IssuerKey

    assert IssuerKey.objects.count() == 1
