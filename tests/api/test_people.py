"""/api/v1/people/: the agency's people, read and written through agencies' and accounts'
services, scoped to the token's agency, each scope enforced."""

from agencies.models import AuditEvent, Membership, Role


def test_lists_the_agencys_people_only(world, api):
    response = api(world.a).get("people/")
    assert response.status_code == 200
    emails = {row["email"] for row in response.json()["results"]}
    assert "learner@a.gov" in emails and "admin@a.gov" in emails
    assert not any(email.endswith("@b.gov") for email in emails)


def test_filters_by_unit_subtree_role_and_activity(world, api):
    client = api(world.a)
    in_digital = {
        r["email"] for r in client.get("people/", {"unit": world.digital.pk}).json()["results"]
    }
    assert in_digital == {"manager@a.gov", "trainer@a.gov", "learner@a.gov"}
    learners = client.get("people/", {"role": "learner"}).json()["results"]
    assert {r["email"] for r in learners} == {"learner@a.gov", "ops@a.gov"}
    assert client.get("people/", {"unit": world.branch.pk}).json()["results"] == []
    assert client.get("people/", {"active": "false"}).json()["results"] == []


def test_pages_through_people_with_a_cursor(world, api):
    client = api(world.a)
    seen, cursor = [], None
    while True:
        params = {"page_size": 2, **({"cursor": cursor} if cursor else {})}
        body = client.get("people/", params).json()
        seen += [row["id"] for row in body["results"]]
        cursor = body["cursor"]
        if body["next"] is None:
            break
    assert seen == sorted(seen) and len(seen) == len(set(seen)) == 5


def test_another_agencys_person_is_404(world, api):
    client = api(world.b)
    for path in (f"people/{world.a_learner.pk}/", f"people/{world.a_learner.pk}/deactivate/"):
        response = client.get(path) if "deactivate" not in path else client.post(path)
        assert response.status_code == 404
        assert response["Content-Type"] == "application/problem+json"
    assert client.patch(f"people/{world.a_learner.pk}/", {"full_name": "X"}).status_code == 404
    world.a_learner.refresh_from_db()
    assert world.a_learner.full_name != "X" and world.a_learner.is_active


def test_creates_a_person_through_the_services(world, api):
    response = api(world.a).post(
        "people/",
        {"email": "New.Person@a.gov", "full_name": "New Person", "unit": world.ops.pk},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["email"] == "new.person@a.gov" and body["unit"] == world.ops.pk
    membership = Membership.objects.get(user__email="new.person@a.gov")
    assert membership.agency == world.a and membership.role == Role.LEARNER
    event = AuditEvent.objects.get(action="api.person_create")
    assert event.actor == world.a_admin and event.detail["client"] == "HR"


def test_create_refuses_bad_input_as_problem_details(world, api):
    client = api(world.a)
    response = client.post("people/", {"email": "someone@elsewhere.org", "unit": world.branch.pk})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 400 and body["type"].endswith("/invalid") and body["title"]
    assert {e["field"] for e in body["errors"]} == {"unit"}  # another agency's unit is unknown
    response = client.post("people/", {"email": "someone@elsewhere.org"})
    assert [e["field"] for e in response.json()["errors"]] == ["email"]
    taken = client.post("people/", {"email": "learner@b.gov"})
    assert taken.status_code == 400
    assert not Membership.objects.filter(user__email="someone@elsewhere.org").exists()


def test_an_address_of_another_agencys_person_is_refused_without_saying_whose(world, api):
    from agencies.services import membership_create
    from tests.factories import UserFactory

    membership_create(user=UserFactory(email="moved@a.gov"), agency=world.b)
    response = api(world.a).post("people/", {"email": "Moved@a.gov"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "email"
    assert "Agency B" not in response.content.decode()


def test_updates_and_deactivates_a_person(world, api):
    client = api(world.a)
    path = f"people/{world.a_learner.pk}/"
    response = client.patch(path, {"full_name": "Renamed", "unit": world.ops.pk, "role": "trainer"})
    assert response.status_code == 200, response.content
    assert response.json()["unit"] == world.ops.pk and response.json()["role"] == "trainer"
    membership = Membership.objects.select_related("user").get(user=world.a_learner)
    assert membership.user.full_name == "Renamed" and membership.unit == world.ops
    assert AuditEvent.objects.filter(action="member.update", actor=world.a_admin).exists()
    response = client.post(f"{path}deactivate/")
    assert response.status_code == 200 and response.json()["active"] is False
    membership.refresh_from_db()
    assert not membership.is_active
    assert AuditEvent.objects.filter(action="member.deactivate", actor=world.a_admin).exists()
    assert client.patch(path, {"active": True}).json()["active"] is True


def test_scopes_are_enforced(world, api, client):
    reader = api(world.a, scopes=["people:read"])
    assert reader.get("people/").status_code == 200
    refused = reader.post("people/", {"email": "x@a.gov"})
    assert refused.status_code == 403
    assert refused["Content-Type"] == "application/problem+json"
    assert reader.post(f"people/{world.a_learner.pk}/deactivate/").status_code == 403
    learning_only = api(world.a, scopes=["learning:read"])
    assert learning_only.get("people/").status_code == 403
    assert client.get("/api/v1/people/").status_code == 401
    bogus = client.get("/api/v1/people/", HTTP_AUTHORIZATION="Bearer nope")
    assert bogus.status_code == 401 and bogus.json()["status"] == 401
    assert "Bearer" in bogus["WWW-Authenticate"]


def test_bad_filters_are_problem_details(world, api):
    response = api(world.a).get("people/", {"role": "emperor", "cursor": "garbage"})
    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} == {"role"}
    response = api(world.a).get("people/", {"cursor": "garbage"})
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "cursor"


def test_rate_limit_per_client_with_retry_after(world, api, settings):
    from rest_framework.settings import api_settings
    from rest_framework.throttling import SimpleRateThrottle

    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "api_client": "3/min"}
    original = SimpleRateThrottle.THROTTLE_RATES
    SimpleRateThrottle.THROTTLE_RATES = rates
    try:
        first, second = api(world.a), api(world.b)
        codes = [first.get("units/").status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        limited = first.get("units/")
        assert limited["Content-Type"] == "application/problem+json"
        assert int(limited["Retry-After"]) > 0
        assert second.get("units/").status_code == 200  # another client: its own count
    finally:
        SimpleRateThrottle.THROTTLE_RATES = original


def test_units_are_the_agencys_tree(world, api):
    client = api(world.a, scopes=["learning:read"])
    rows = client.get("units/").json()
    assert [r["name"] for r in rows] == ["HQ", "Digital", "Data", "Ops"]
    by_name = {r["name"]: r for r in rows}
    assert by_name["Data"]["parent"] == world.digital.pk and by_name["Data"]["depth"] == 2
    assert client.get(f"units/{world.branch.pk}/").status_code == 404
    assert api(world.b).get(f"units/{world.hq.pk}/").status_code == 404


def test_a_people_page_reads_a_bounded_number_of_queries(world, api, django_assert_num_queries):
    from agencies.services import membership_create
    from tests.factories import UserFactory

    for n in range(8):
        membership_create(user=UserFactory(email=f"bulk{n}@a.gov"), agency=world.a, unit=world.ops)
    client = api(world.a, scopes=["people:read"])
    client.get("people/")
    # The token with its client, agency and creator (one query), the page with users and units.
    with django_assert_num_queries(2):
        assert len(client.get("people/").json()["results"]) == 13


def test_a_retried_post_with_an_idempotency_key_creates_nothing_twice(world, api, client):
    from api.models import IdempotentRequest

    writer = api(world.a)
    body = {"email": "retry@a.gov", "full_name": "Retry"}
    key = {"HTTP_IDEMPOTENCY_KEY": "4b9c6f1e-retry"}
    first = client.post(
        "/api/v1/people/", body, content_type="application/json", **writer.auth, **key
    )
    again = client.post(
        "/api/v1/people/", body, content_type="application/json", **writer.auth, **key
    )
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert Membership.objects.filter(user__email="retry@a.gov").count() == 1
    assert AuditEvent.objects.filter(action="api.person_create").count() == 1
    other = client.post(
        "/api/v1/people/",
        {"email": "other@a.gov"},
        content_type="application/json",
        **writer.auth,
        **key,
    )
    assert other.status_code == 422 and other.json()["type"].endswith("/idempotency-key-reused")
    assert not Membership.objects.filter(user__email="other@a.gov").exists()
    # Keys are per client: another client's same key is its own.
    assert IdempotentRequest.objects.count() == 1
    # A failed request stores nothing: the corrected retry may reuse the key.
    bad = {"HTTP_IDEMPOTENCY_KEY": "fix-me"}
    refused = client.post(
        "/api/v1/people/",
        {"email": "x@elsewhere.org"},
        content_type="application/json",
        **writer.auth,
        **bad,
    )
    assert refused.status_code == 400
    assert IdempotentRequest.objects.count() == 1


def test_updated_since_lists_the_people_whose_shown_fields_changed(world, api):
    """A change of address or name (accounts), of unit, role or activity (agencies) moves the
    person into `updated_since`; people untouched since stay out."""
    import datetime

    import time_machine

    from accounts.services import user_identity_update
    from agencies.services import membership_set_active, membership_update

    later = datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(days=1)
    client = api(world.a)
    since = {"updated_since": later.isoformat()}
    assert client.get("people/", since).json()["results"] == []
    with time_machine.travel(later + datetime.timedelta(minutes=1), tick=False):
        user_identity_update(user=world.a_learner, full_name="Renamed")
        ops = Membership.objects.get(user__email="ops@a.gov")
        membership_update(actor=world.a_admin, membership=ops, role=Role.TRAINER, unit=ops.unit)
        trainer = Membership.objects.get(user=world.a_trainer)
        membership_set_active(actor=world.a_admin, membership=trainer, active=False)
    rows = client.get("people/", since).json()["results"]
    assert {r["email"] for r in rows} == {"learner@a.gov", "ops@a.gov", "trainer@a.gov"}
    assert all(r["updated_at"] >= later.isoformat()[:19] for r in rows)
    after = {"updated_since": (later + datetime.timedelta(minutes=2)).isoformat()}
    assert client.get("people/", after).json()["results"] == []
    bad = client.get("people/", {"updated_since": "yesterday"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "updated_since"
