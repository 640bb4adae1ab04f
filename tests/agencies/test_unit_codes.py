"""Unit codes: an agency's own optional short code for each unit, unique in the agency (ignoring
case), set where units are added and edited, shown in the units list."""

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from agencies import services
from agencies.demo import seed_people
from agencies.models import AuditEvent, Unit

UNIT_LIST = reverse("agencies:unit_list")


def unit_edit(unit):
    return reverse("agencies:unit_edit", args=[unit.pk])


def set_code(world, unit, code):
    return services.unit_update(
        actor=world.a_admin, unit=unit, name=unit.name, parent=unit.parent, code=code
    )


def test_unit_create_keeps_the_code_trimmed_and_audits_it(world):
    unit = services.unit_create(
        actor=world.a_admin, agency=world.a, name="Field", parent=world.hq, code="  FLD-01 "
    )
    assert unit.code == "FLD-01"
    event = AuditEvent.objects.get(action="unit.create", target="Field")
    assert event.changes["code"] == [None, "FLD-01"]


def test_unit_code_is_unique_in_the_agency_ignoring_case(world):
    set_code(world, world.ops, "OPS-1")
    with pytest.raises(ValidationError) as refused:
        services.unit_create(
            actor=world.a_admin, agency=world.a, name="Field", parent=world.hq, code="ops-1"
        )
    assert "code" in refused.value.message_dict
    with pytest.raises(ValidationError):
        set_code(world, world.data, "Ops-1")
    world.data.refresh_from_db()
    assert world.data.code == ""
    assert not Unit.objects.filter(name="Field").exists()


def test_the_same_code_is_free_in_another_agency_and_empty_codes_never_clash(world):
    set_code(world, world.ops, "X1")
    services.unit_update(
        actor=world.b_admin, unit=world.branch, name="Branch", parent=None, code="x1"
    )
    # Several units without a code: the uniqueness only holds for codes that are set.
    assert Unit.objects.filter(agency=world.a, code="").count() == 3
    world.branch.refresh_from_db()
    assert world.branch.code == "x1"


def test_the_database_refuses_a_duplicate_code_ignoring_case(world):
    Unit.objects.filter(pk=world.ops.pk).update(code="DUP")
    with pytest.raises(IntegrityError), transaction.atomic():
        Unit.objects.filter(pk=world.data.pk).update(code="dup")


def test_unit_update_keeps_the_code_when_none_and_clears_it_with_empty(world):
    set_code(world, world.ops, "OPS-1")
    services.unit_update(actor=world.a_admin, unit=world.ops, name="Operations", parent=world.hq)
    world.ops.refresh_from_db()
    assert (world.ops.name, world.ops.code) == ("Operations", "OPS-1")
    # A unit may keep its own code whatever the case.
    set_code(world, world.ops, "ops-1")
    set_code(world, world.ops, "")
    world.ops.refresh_from_db()
    assert world.ops.code == ""


def test_admin_adds_a_unit_with_a_code_and_the_list_shows_it(world, client_for):
    client = client_for(world.a_admin)
    response = client.post(UNIT_LIST, {"name": "Field", "code": "FLD-01", "parent": world.hq.pk})
    assert response.status_code == 302
    assert Unit.objects.get(agency=world.a, name="Field").code == "FLD-01"
    page = client.get(UNIT_LIST).content.decode()
    assert "<code>FLD-01</code>" in page


def test_duplicate_code_in_the_add_form_is_a_field_error(world, client_for):
    set_code(world, world.ops, "OPS-1")
    response = client_for(world.a_admin).post(
        UNIT_LIST, {"name": "Field", "code": "ops-1", "parent": world.hq.pk}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["code"] == [
        "Another unit of this agency already has this code."
    ]
    assert 'aria-invalid="true"' in response.content.decode()
    assert not Unit.objects.filter(name="Field").exists()


def test_duplicate_code_in_the_edit_form_is_a_field_error(world, client_for):
    set_code(world, world.ops, "OPS-1")
    client = client_for(world.a_admin)
    page = client.get(unit_edit(world.data)).content.decode()
    assert 'name="code"' in page
    response = client.post(
        unit_edit(world.data), {"name": "Data", "code": "OPS-1", "parent": world.digital.pk}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    world.data.refresh_from_db()
    assert world.data.code == ""


def test_admin_sets_and_changes_a_code_through_the_edit_page(world, client_for):
    client = client_for(world.a_admin)
    response = client.post(
        unit_edit(world.ops), {"name": "Ops", "code": "OPS-2", "parent": world.hq.pk}
    )
    assert response.status_code == 302
    world.ops.refresh_from_db()
    assert world.ops.code == "OPS-2"
    assert 'value="OPS-2"' in client.get(unit_edit(world.ops)).content.decode()


def test_a_code_of_another_agency_does_not_leak_through_the_form(world, client_for):
    services.unit_update(
        actor=world.b_admin, unit=world.branch, name="Branch", parent=None, code="B-1"
    )
    response = client_for(world.a_admin).post(
        UNIT_LIST, {"name": "Field", "code": "B-1", "parent": world.hq.pk}
    )
    assert response.status_code == 302
    assert Unit.objects.get(agency=world.a, name="Field").code == "B-1"


def test_the_form_shows_the_code_error_in_french(world, client_for):
    set_code(world, world.ops, "OPS-1")
    client = client_for(world.a_admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    response = client.post(UNIT_LIST, {"name": "Field", "code": "OPS-1", "parent": world.hq.pk})
    assert response.context["form"].errors["code"] == [
        "Une autre unité de cet organisme a déjà ce code."
    ]


@pytest.mark.django_db
def test_demo_units_have_codes_and_a_reseed_keeps_them():
    seed_people()
    codes = dict(Unit.objects.filter(agency__slug="demo-agency").values_list("name", "code"))
    assert codes["Digital Services"] == "DA-100"
    assert codes["Data Team"] == "DA-110"
    assert all(codes.values())
    seed_people()
    assert Unit.objects.exclude(code="").count() == 15
