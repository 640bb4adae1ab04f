"""Groups (units), discovery, tokens, agency isolation on every endpoint, bounded queries."""

from urllib.parse import quote

import pytest
from django.urls import reverse
from scim2_models import EnterpriseUser, Group, SearchRequest, User

from agencies.models import Membership, Role
from agencies.services import membership_update
from provisioning import services
from provisioning.models import ScimToken

from .test_users import new_user

ScimUser = User[EnterpriseUser]
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


def unit_of(user):
    return Membership.objects.get(user=user).unit


def test_discovery_describes_the_service(world, scim_for, raw_scim):
    scim = scim_for()  # discover() read ServiceProviderConfig, ResourceTypes and Schemas
    config = scim.provider.config
    assert config.patch.supported and not config.bulk.supported and config.filter.supported
    assert {t.id for t in scim.provider.resource_types} == {"User", "Group"}
    raw = raw_scim()
    for path in [
        "ServiceProviderConfig",
        "ResourceTypes",
        "ResourceTypes/User",
        "Schemas",
        "Schemas/urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
    ]:
        response = raw.call("GET", path)
        assert response.status_code == 200, path
        assert response["Content-Type"] == "application/scim+json"
    assert raw.call("GET", "Schemas/urn:nothing").status_code == 404


def test_groups_are_the_agencys_units(world, scim_for):
    scim = scim_for()
    groups = scim.query(Group)
    assert {g.display_name for g in groups.resources} == {"HQ", "Digital", "Data", "Ops"}
    found = scim.query(Group, query_parameters=SearchRequest(filter='displayName eq "ops"'))
    assert [g.id for g in found.resources] == [str(world.ops.pk)]
    ops = scim.query(Group, str(world.ops.pk))
    assert [m.value for m in ops.members] == [str(world.a_ops_learner.pk)]


def test_group_membership_patch_moves_people_between_units(world, scim_for, raw_scim):
    created = scim_for().create(new_user("mover@a.gov", department="Ops"))
    raw = raw_scim()
    # Entra ID adds a member to a group...
    response = raw.call(
        "PATCH",
        f"Groups/{world.data.pk}",
        {
            "schemas": [PATCH],
            "Operations": [{"op": "Add", "path": "members", "value": [{"value": created.id}]}],
        },
    )
    assert response.status_code == 200, response.content
    assert created.id in {m["value"] for m in response.json()["members"]}
    mover = Membership.objects.get(user_id=int(created.id))
    assert mover.unit == world.data  # a person has one unit: out of Ops, into Data
    # ...and removes it (the value names the member, as Entra sends it).
    response = raw.call(
        "PATCH",
        f"Groups/{world.data.pk}",
        {
            "schemas": [PATCH],
            "Operations": [{"op": "Remove", "path": "members", "value": [{"value": created.id}]}],
        },
    )
    assert response.status_code == 200
    assert Membership.objects.get(user_id=int(created.id)).unit is None
    # Okta's form: remove by a filtered path.
    membership_update(actor=world.a_admin, membership=mover, role=Role.LEARNER, unit=world.data)
    response = raw.call(
        "PATCH",
        f"Groups/{world.data.pk}",
        {
            "schemas": [PATCH],
            "Operations": [{"op": "remove", "path": f'members[value eq "{created.id}"]'}],
        },
    )
    assert response.status_code == 200
    assert Membership.objects.get(user_id=int(created.id)).unit is None
    # Groups are not created or deleted over SCIM.
    assert raw.call("POST", "Groups", {"displayName": "New"}).status_code == 501
    assert raw.call("DELETE", f"Groups/{world.data.pk}").status_code == 501


def test_a_token_of_agency_b_sees_and_touches_nothing_of_agency_a(world, scim_for, raw_scim):
    a_person = scim_for(world.a).create(new_user("mine@a.gov", department="Ops", external_id="X"))
    a_id = a_person.id
    b = raw_scim(world.b)

    listed = b.call("GET", "Users?count=200").json()
    emails = {u["userName"] for u in listed["Resources"]}
    assert emails and all(e.endswith("@b.gov") for e in emails)
    for text in ['userName eq "mine@a.gov"', 'externalId eq "X"', 'userName eq "learner@a.gov"']:
        found = b.call("GET", f"Users?filter={quote(text)}").json()
        assert found["totalResults"] == 0, text
    assert b.call("GET", f"Users/{a_id}").status_code == 404
    body = new_user("mine@a.gov").model_dump(scim_ctx=None)
    assert b.call("PUT", f"Users/{a_id}", body).status_code == 404
    patch = {
        "schemas": [PATCH],
        "Operations": [{"op": "replace", "path": "active", "value": False}],
    }
    assert b.call("PATCH", f"Users/{a_id}", patch).status_code == 404
    assert b.call("DELETE", f"Users/{a_id}").status_code == 404
    # B cannot create people on A's domain either.
    response = b.call("POST", "Users", new_user("other@a.gov").model_dump(scim_ctx=None))
    assert response.status_code == 400

    groups = b.call("GET", "Groups").json()
    assert {g["displayName"] for g in groups["Resources"]} == {"Branch"}
    assert b.call("GET", f"Groups/{world.ops.pk}").status_code == 404
    found = b.call("GET", "Groups?filter=" + quote('displayName eq "Ops"')).json()
    assert found["totalResults"] == 0
    add = {
        "schemas": [PATCH],
        "Operations": [{"op": "add", "path": "members", "value": [{"value": a_id}]}],
    }
    assert b.call("PATCH", f"Groups/{world.ops.pk}", add).status_code == 404
    # A's person put into B's unit: refused, and nothing moves.
    response = b.call("PATCH", f"Groups/{world.branch.pk}", add)
    assert response.status_code == 400 and response.json()["scimType"] == "invalidValue"

    member = Membership.objects.select_related("unit", "scim_person").get(user_id=int(a_id))
    assert member.is_active and member.unit == world.ops and member.scim_person.deleted_at is None


def test_revoked_unknown_or_missing_token_answers_401(world, token_for, raw_scim, client):
    token, raw = token_for()
    assert raw_scim(raw=raw).call("GET", "Users").status_code == 200
    services.token_revoke(actor=world.a_admin, token=token)
    response = raw_scim(raw=raw).call("GET", "Users")
    assert response.status_code == 401
    assert response.json()["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert raw_scim(raw=raw + "x").call("GET", "Users").status_code == 401
    assert raw_scim(raw="acs_nonsense").call("GET", "Users").status_code == 401
    assert client.get("/scim/v2/Users").status_code == 401
    # A session cookie is no way in either.
    client.force_login(world.a_admin)
    assert client.get("/scim/v2/Users").status_code == 401


def test_token_stops_when_its_creator_is_no_longer_an_admin(world, token_for, raw_scim):
    _token, raw = token_for()
    other_admin = Membership.objects.get(user=world.a_manager)
    membership_update(
        actor=world.a_admin, membership=other_admin, role=Role.AGENCY_ADMIN, unit=None
    )
    membership_update(
        actor=world.a_manager,
        membership=Membership.objects.get(user=world.a_admin),
        role=Role.LEARNER,
        unit=None,
    )
    assert raw_scim(raw=raw).call("GET", "Users").status_code == 401


def test_token_is_stored_hashed_and_records_its_last_use(world, token_for, raw_scim):
    token, raw = token_for()
    row = ScimToken.objects.get(pk=token.pk)
    assert raw not in (row.token_hash, row.prefix) and row.token_hash == services.token_hash(raw)
    assert row.last_used_at is None
    raw_scim(raw=raw).call("GET", "Users")
    assert ScimToken.objects.get(pk=token.pk).last_used_at is not None


@pytest.mark.parametrize("people", [5, 40])
def test_user_list_reads_a_bounded_number_of_queries(
    world, scim_for, raw_scim, django_assert_num_queries, people
):
    scim = scim_for()
    for n in range(people):
        scim.create(new_user(f"q{n}@a.gov", department="Ops" if n % 2 else "Nowhere"))
    raw = raw_scim()
    raw.call("GET", "Users")  # last_used_at written: later requests only read
    # the token (with its agency and creator), the count, the page; the creator's placement
    # comes from the cache (agencies.access)
    with django_assert_num_queries(3):
        response = raw.call("GET", "Users?count=100")
    assert response.json()["itemsPerPage"] == Membership.objects.filter(agency=world.a).count()
    with django_assert_num_queries(3):
        raw.call("GET", "Users?filter=" + quote('userName eq "q1@a.gov"'))
    with django_assert_num_queries(3):
        raw.call("GET", "Groups")
    with django_assert_num_queries(3):
        raw.call("GET", f"Groups/{world.ops.pk}")


def test_scim_endpoints_need_no_csrf_token_but_the_site_still_does(world, token_for, client):
    from django.test import Client

    _token, raw = token_for()
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(
        "/scim/v2/Users",
        new_user("csrf@a.gov").model_dump_json(),
        content_type="application/scim+json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 201
    strict.force_login(world.a_admin)
    response = strict.post(reverse("provisioning:token_list"), {"name": "x"})
    assert response.status_code == 403
