"""SCIM's department places people by unit code first (exact, ignoring case), then by unit
name, as docs/sso.md tells identity-provider admins to map it."""

from scim2_models import EnterpriseUser, PatchOp, PatchOperation

from agencies import services as agency_services
from provisioning.selectors import unmatched_departments
from provisioning.services import unit_for_department

from .test_users import ENTERPRISE, ScimUser, membership_of, new_user


def set_code(world, unit, code, actor=None):
    agency_services.unit_update(
        actor=actor or world.a_admin, unit=unit, name=unit.name, parent=unit.parent, code=code
    )
    unit.refresh_from_db()


def department_patch(value):
    return PatchOp[ScimUser](
        operations=[
            PatchOperation(
                op=PatchOperation.Op.replace_, path=f"{ENTERPRISE}:department", value=value
            )
        ]
    )


def test_department_matched_by_unit_code_ignoring_case_and_read_back_as_the_code(world, scim_for):
    set_code(world, world.ops, "ORG-4711")
    scim = scim_for()
    created = scim.create(new_user("coded@a.gov", department="org-4711"))
    assert membership_of("coded@a.gov").unit == world.ops
    # Read back as the code, so the identity provider's next sync finds nothing to change.
    assert created[EnterpriseUser].department == "ORG-4711"
    assert scim.query(ScimUser, created.id)[EnterpriseUser].department == "ORG-4711"
    assert unmatched_departments(agency=world.a) == []


def test_a_code_wins_over_a_unit_of_that_name(world, scim_for):
    # Data's code is "Ops", the name of another unit: the code is what the department means.
    set_code(world, world.data, "OPS")
    scim_for().create(new_user("code-first@a.gov", department="ops"))
    assert membership_of("code-first@a.gov").unit == world.data


def test_department_falls_back_to_the_unit_name(world, scim_for):
    set_code(world, world.ops, "ORG-4711")
    scim = scim_for()
    created = scim.create(new_user("named@a.gov", department="DIGITAL"))
    assert membership_of("named@a.gov").unit == world.digital
    # A unit with a code is still found by its name.
    scim.modify(ScimUser, created.id, department_patch("ops"))
    assert membership_of("named@a.gov").unit == world.ops


def test_unknown_department_is_no_unit_and_listed_until_a_unit_gets_that_code(world, scim_for):
    set_code(world, world.ops, "ORG-4711")
    scim = scim_for()
    created = scim.create(new_user("lost@a.gov", department="ORG-9999"))
    assert membership_of("lost@a.gov").unit is None
    assert created[EnterpriseUser].department == "ORG-9999"
    assert unmatched_departments(agency=world.a) == [{"department": "ORG-9999", "people": 1}]
    # The admin gives a unit that code; the next update places the person.
    set_code(world, world.digital, "ORG-9999")
    scim.modify(ScimUser, created.id, department_patch("ORG-9999"))
    assert membership_of("lost@a.gov").unit == world.digital
    assert unmatched_departments(agency=world.a) == []


def test_a_code_of_another_agency_places_no_one(world, scim_for):
    set_code(world, world.branch, "B-1", actor=world.b_admin)
    scim_for().create(new_user("elsewhere@a.gov", department="B-1"))
    assert membership_of("elsewhere@a.gov").unit is None
    assert unmatched_departments(agency=world.a) == [{"department": "B-1", "people": 1}]


def test_unit_for_department_reads_one_query(world, django_assert_num_queries):
    set_code(world, world.ops, "ORG-4711")
    for department, unit in [
        ("org-4711", world.ops),
        ("Digital", world.digital),
        ("ORG-0000", None),
    ]:
        with django_assert_num_queries(1):
            assert unit_for_department(agency=world.a, department=department) == unit


def test_a_shared_unit_name_sent_back_as_read_keeps_the_person_in_place(world, scim_for):
    # Two units named "Team" in different branches: the name alone places no one, but the
    # current unit's name sent back (as GET shows it) is no move.
    team_ops = agency_services.unit_create(
        actor=world.a_admin, agency=world.a, name="Team", parent=world.ops
    )
    agency_services.unit_create(
        actor=world.a_admin, agency=world.a, name="Team", parent=world.digital
    )
    scim = scim_for()
    created = scim.create(new_user("team@a.gov", department="Team"))
    assert membership_of("team@a.gov").unit is None
    member = membership_of("team@a.gov")
    agency_services.membership_update(
        actor=world.a_admin, membership=member, role=member.role, unit=team_ops
    )
    read = scim.query(ScimUser, created.id)
    assert read[EnterpriseUser].department == "Team"
    scim.replace(read)
    assert membership_of("team@a.gov").unit == team_ops
