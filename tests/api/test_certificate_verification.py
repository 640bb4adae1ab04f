"""/api/v1/certificates/verify/{code}/: public (no token), the same facts as the site's
verification page and nothing more."""

from learning import services as learning
from learning.services import certificate_revoke
from tests.builders import build_course, finish_course


def _certificate(world):
    course = build_course(world.a_trainer, world.a, publish=True)
    return finish_course(
        learning.enrollment_create(user=world.a_learner, course=course)
    ).certificate


def test_anyone_can_verify_a_certificate_without_a_token(world, client):
    certificate = _certificate(world)
    response = client.get(f"/api/v1/certificates/verify/{certificate.code}/")
    assert response.status_code == 200
    body = response.json()
    assert body == {
        "code": certificate.code,
        "valid": True,
        "learner_name": certificate.learner_name,
        "course_title": certificate.course_title,
        "agency_name": certificate.agency_name,
        "issued_on": body["issued_on"],
        "revoked_on": None,
    }
    site = client.get(f"/verify/{certificate.code}/").content.decode()
    assert certificate.learner_name in site and certificate.course_title in site


def test_a_revoked_certificate_is_not_valid(world, client):
    certificate = _certificate(world)
    certificate_revoke(actor=world.a_admin, certificate=certificate, reason="Issued in error")
    body = client.get(f"/api/v1/certificates/verify/{certificate.code}/").json()
    assert body["valid"] is False and body["revoked_on"] is not None
    assert "Issued in error" not in str(body)  # the reason is not on the public page either


def test_an_unknown_code_is_a_404_problem(db, client):
    response = client.get("/api/v1/certificates/verify/NOPE-NOPE/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
