"""SCIM Users driven by scim2-client (in-process WSGI) and, for what a library client would not
send, by plain HTTP through Django's test client."""

from urllib.parse import quote

import pytest
from django.urls import reverse
from scim2_models import (
    Email,
    EnterpriseUser,
    Error,
    Name,
    PatchOp,
    PatchOperation,
    SearchRequest,
    UniquenessException,
    User,
)

from accounts.models import User as AccountUser
from agencies.models import AuditEvent, Membership
from provisioning.models import ScimPerson
from provisioning.selectors import unmatched_departments

ScimUser = User[EnterpriseUser]
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"


def new_user(email, *, department=None, external_id=None, given="Ada", family="Lovelace"):
    user = ScimUser(
        user_name=email,
        external_id=external_id,
        name=Name(given_name=given, family_name=family),
        emails=[Email(value=email, type=Email.Type.work, primary=True)],
        active=True,
    )
    if department is not None:
        user[EnterpriseUser] = EnterpriseUser(department=department)
    return user


def membership_of(email):
    return Membership.objects.select_related("user", "unit").get(user__email=email)


def test_user_life_from_creation_to_deletion(world, scim_for, client):
    scim = scim_for()
    created = scim.create(new_user("ada@a.gov", department="Ops", external_id="entra-1"))
    assert created.user_name == "ada@a.gov"
    assert created.active is True
    assert created.meta.location.endswith(f"/scim/v2/Users/{created.id}")
    assert created[EnterpriseUser].department == "Ops"
    member = membership_of("ada@a.gov")
    assert (member.agency, member.unit, member.user.full_name) == (
        world.a,
        world.ops,
        "Ada Lovelace",
    )
    assert str(member.user_id) == created.id
    assert not member.user.has_usable_password()

    # Read, and find by userName (any case) and by externalId.
    assert scim.query(ScimUser, created.id).external_id == "entra-1"
    found = scim.query(ScimUser, query_parameters=SearchRequest(filter='userName eq "ADA@a.gov"'))
    assert [u.id for u in found.resources] == [created.id]
    found = scim.query(ScimUser, query_parameters=SearchRequest(filter='externalId eq "entra-1"'))
    assert [u.id for u in found.resources] == [created.id]

    # Replace (PUT, as Okta updates): a new name and another unit.
    replacement = new_user("ada@a.gov", department="Digital", external_id="entra-1", given="Ada")
    replacement.id = created.id
    replaced = scim.replace(replacement)
    assert replaced[EnterpriseUser].department == "Digital"
    assert membership_of("ada@a.gov").unit == world.digital

    # PATCH without a path (Entra ID's form), then with paths.
    patched = scim.modify(
        ScimUser,
        created.id,
        PatchOp[ScimUser](
            operations=[
                PatchOperation(
                    op=PatchOperation.Op.replace_,
                    value={
                        "externalId": "entra-2",
                        "name.givenName": "Augusta",
                        f"{ENTERPRISE}:department": "Data",
                    },
                )
            ]
        ),
    )
    assert patched.external_id == "entra-2"
    assert patched.name.formatted == "Augusta Lovelace"
    member = membership_of("ada@a.gov")
    assert (member.unit, member.user.full_name) == (world.data, "Augusta Lovelace")

    # Deactivation (PATCH active): the person's session ends, their records stay.
    client.force_login(member.user)
    assert client.get(reverse("learning:my_learning")).status_code == 200
    patched = scim.modify(
        ScimUser,
        created.id,
        PatchOp[ScimUser](
            operations=[PatchOperation(op=PatchOperation.Op.replace_, path="active", value=False)]
        ),
    )
    assert patched.active is False
    member = membership_of("ada@a.gov")
    assert not member.is_active and not member.user.is_active
    response = client.get(reverse("learning:my_learning"))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    assert AuditEvent.objects.filter(action="member.deactivate", target="ada@a.gov").exists()

    # DELETE: 404 from now on and in no list or filter; Academy keeps the person, deactivated.
    scim.delete(ScimUser, created.id)
    error = scim.query(ScimUser, created.id, raise_scim_errors=False)
    assert isinstance(error, Error) and error.status == 404
    everyone = scim.query(ScimUser, query_parameters=SearchRequest(count=200))
    assert created.id not in {u.id for u in everyone.resources}
    found = scim.query(ScimUser, query_parameters=SearchRequest(filter='userName eq "ada@a.gov"'))
    assert found.total_results == 0
    member = membership_of("ada@a.gov")
    assert not member.is_active and member.scim_person.deleted_at is not None

    # Created again by the same userName: the same person comes back, active.
    again = scim.create(new_user("ada@a.gov", department="Ops", external_id="entra-3"))
    assert again.id == created.id and again.active is True
    member = membership_of("ada@a.gov")
    assert member.is_active and member.user.is_active and member.unit == world.ops
    assert member.scim_person.deleted_at is None


def test_thousand_users_created_one_request_each(world, scim_for):
    scim = scim_for()
    before = Membership.objects.filter(agency=world.a).count()
    ids = []
    for n in range(1000):
        ids.append(scim.create(new_user(f"person{n}@a.gov", external_id=f"e{n}")).id)
    assert len(set(ids)) == 1000
    assert Membership.objects.filter(agency=world.a, is_active=True).count() == before + 1000

    # Paged by startIndex/count in a stable order, every person appears once.
    seen, start = [], 1
    while True:
        page = scim.query(ScimUser, query_parameters=SearchRequest(start_index=start, count=200))
        assert page.total_results == before + 1000
        seen.extend(u.id for u in page.resources or [])
        if start + page.items_per_page > page.total_results:
            break
        start += page.items_per_page
    assert len(seen) == len(set(seen)) == before + 1000
    assert set(ids) <= set(seen)


def test_filters_on_username_and_external_id_only(world, scim_for, raw_scim):
    scim = scim_for()
    scim.create(new_user("grace@a.gov", external_id="G-1"))
    by_name = scim.query(
        ScimUser, query_parameters=SearchRequest(filter='userName eq "grace@a.gov"')
    )
    assert [u.user_name for u in by_name.resources] == ["grace@a.gov"]
    # externalId is case-exact.
    none = scim.query(ScimUser, query_parameters=SearchRequest(filter='externalId eq "g-1"'))
    assert none.total_results == 0
    # Members who were never provisioned are found too, so the identity provider can match them.
    existing = scim.query(
        ScimUser, query_parameters=SearchRequest(filter='userName eq "learner@a.gov"')
    )
    assert existing.total_results == 1

    raw = raw_scim()
    for text in [
        'userName co "grace"',
        "active eq true",
        'name.givenName eq "Ada"',
        'userName eq "a@a.gov" or userName eq "b@a.gov"',
        "userName eq",
        "((",
    ]:
        response = raw.call("GET", f"Users?filter={quote(text)}")
        assert response.status_code == 400, text
        assert response["Content-Type"] == "application/scim+json"
        body = response.json()
        assert body["schemas"] == [ERROR] and body["scimType"] == "invalidFilter", text


def test_duplicate_username_answers_409_uniqueness(world, scim_for):
    scim = scim_for()
    scim.create(new_user("twin@a.gov"))
    with pytest.raises(UniquenessException):
        scim.create(new_user("TWIN@a.gov"))
    # A member who signed up without SCIM counts too.
    error = scim.create(new_user("learner@a.gov"), raise_scim_errors=False)
    assert error.status == 409 and error.scim_type == "uniqueness"
    assert AccountUser.objects.filter(email__iexact="twin@a.gov").count() == 1


def test_username_outside_the_agencys_approved_domains_is_refused(world, scim_for):
    scim = scim_for()
    people = AccountUser.objects.count()
    for email in ["someone@b.gov", "someone@gmail.com", "someone@sub.a.gov"]:
        error = scim.create(new_user(email), raise_scim_errors=False)
        assert error.status == 400 and error.scim_type == "invalidValue", email
    assert AccountUser.objects.count() == people
    assert not ScimPerson.objects.exists()


def test_unknown_department_lands_in_no_unit_and_is_listed_for_the_admin(world, scim_for):
    scim = scim_for()
    created = scim.create(new_user("lost@a.gov", department="Nowhere"))
    assert membership_of("lost@a.gov").unit is None
    assert created[EnterpriseUser].department == "Nowhere"
    assert unmatched_departments(agency=world.a) == [{"department": "Nowhere", "people": 1}]
    # Once a unit of that name exists, the next update places the person.
    world.ops.name = "Nowhere"
    world.ops.save(update_fields=["name"])
    scim.modify(
        ScimUser,
        created.id,
        PatchOp[ScimUser](
            operations=[
                PatchOperation(
                    op=PatchOperation.Op.replace_,
                    path=f"{ENTERPRISE}:department",
                    value="Nowhere",
                )
            ]
        ),
    )
    assert membership_of("lost@a.gov").unit == world.ops
    assert unmatched_departments(agency=world.a) == []


def test_patch_forms_that_entra_and_okta_send(world, scim_for, raw_scim):
    created = scim_for().create(new_user("okta@a.gov"))
    raw = raw_scim()
    # Entra ID: capitalised op, string booleans, filtered email path.
    response = raw.call(
        "PATCH",
        f"Users/{created.id}",
        {
            "schemas": [PATCH],
            "Operations": [
                {"op": "Replace", "path": "active", "value": "False"},
                {"op": "Add", "path": 'emails[type eq "work"].value', "value": "okta@a.gov"},
                {"op": "Replace", "path": "name.familyName", "value": "Hopper"},
                {"op": "Replace", "path": "externalId", "value": "00u1"},
            ],
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["active"] is False and body["externalId"] == "00u1"
    assert membership_of("okta@a.gov").user.full_name == "Ada Hopper"
    # Okta: no path, a value object.
    response = raw.call(
        "PATCH",
        f"Users/{created.id}",
        {"schemas": [PATCH], "Operations": [{"op": "replace", "value": {"active": True}}]},
    )
    assert response.status_code == 200 and response.json()["active"] is True
    assert membership_of("okta@a.gov").is_active


def test_a_refused_patch_changes_nothing(world, scim_for, raw_scim):
    created = scim_for().create(new_user("whole@a.gov", department="Ops"))
    response = raw_scim().call(
        "PATCH",
        f"Users/{created.id}",
        {
            "schemas": [PATCH],
            "Operations": [
                {"op": "replace", "path": "active", "value": False},
                {"op": "replace", "path": "userName", "value": "whole@b.gov"},
            ],
        },
    )
    assert response.status_code == 400 and response.json()["scimType"] == "invalidValue"
    member = membership_of("whole@a.gov")
    assert member.is_active and member.user.is_active and member.unit == world.ops


def test_errors_are_scim_messages(world, raw_scim, client):
    raw = raw_scim()
    response = raw.call("GET", "Users/999999")
    assert response.status_code == 404 and response.json()["schemas"] == [ERROR]
    response = raw.call("GET", "Users/not-a-number")
    assert response.status_code == 404
    response = client.post("/scim/v2/Users", "{", content_type="application/scim+json", **raw.auth)
    assert response.status_code == 400 and response.json()["scimType"] == "invalidSyntax"
    response = raw.call("POST", "Users", {"schemas": [str(User.__schema__)]})
    assert response.status_code == 400 and response.json()["status"] == "400"
    response = raw.call("PUT", "Users")
    assert response.status_code == 405 and response["Content-Type"] == "application/scim+json"
