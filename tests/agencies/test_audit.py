"""The audit log: before/after values, readable actions, filters, CSV export, scoping."""

import csv
import datetime
import io
import json
import logging
import zoneinfo

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import translation

from agencies import services
from agencies.access import actor_cache_expire_all
from agencies.audit import action_label, describe_changes
from agencies.models import AuditEvent, Role

pytestmark = pytest.mark.django_db

AUDIT = reverse("agencies:audit_log")
EXPORT = reverse("agencies:audit_log_export")


def last(action, outcome=AuditEvent.Outcome.SUCCESS):
    return AuditEvent.objects.filter(action=action, outcome=outcome).latest("id")


# --- before and after ----------------------------------------------------------------------


def test_member_move_records_unit_before_and_after(world):
    membership = world.a_learner.membership
    services.membership_update(
        actor=world.a_admin, membership=membership, role=membership.role, unit=world.ops
    )
    assert last("member.update").changes == {"unit": ["Data", "Ops"]}


def test_role_change_records_role_before_and_after(world):
    membership = world.a_learner.membership
    services.membership_update(
        actor=world.a_admin, membership=membership, role=Role.TRAINER, unit=world.data
    )
    assert last("member.update").changes == {"role": ["learner", "trainer"]}


def test_refused_member_change_records_what_was_asked(world):
    membership = world.a_ops_learner.membership
    with pytest.raises(services.ValidationError):
        services.membership_update(
            actor=world.a_manager, membership=membership, role=membership.role, unit=world.data
        )
    event = last("member.update", AuditEvent.Outcome.REJECTED)
    assert event.changes == {"unit": ["Ops", "Data"]}
    assert event.detail["errors"]


def test_unit_rename_and_move_record_before_and_after(world):
    services.unit_update(actor=world.a_admin, unit=world.data, name="Data lab", parent=world.ops)
    assert last("unit.update").changes == {
        "name": ["Data", "Data lab"],
        "parent": ["Digital", "Ops"],
    }


def test_unit_create_records_its_values(world):
    services.unit_create(actor=world.a_admin, agency=world.a, name="Labs", parent=world.hq)
    assert last("unit.create").changes == {"name": [None, "Labs"], "parent": [None, "HQ"]}


def test_agency_settings_record_only_what_changed(world):
    services.agency_update_settings(
        actor=world.a_admin,
        agency=world.a,
        name="Agency A",
        acronym=world.a.acronym,
        domains=["a.gov", "staff.a.gov"],
        time_zone="Europe/Paris",
        default_language=world.a.default_language,
        mfa_required=True,
    )
    # An agency admin's new domain waits for a platform admin's approval.
    assert last("agency.update").changes == {
        "pending_domains": [[], ["staff.a.gov"]],
        "time_zone": ["UTC", "Europe/Paris"],
        "mfa_required": [False, True],
    }


def test_deactivation_records_active_before_and_after(world):
    services.membership_set_active(
        actor=world.a_admin, membership=world.a_learner.membership, active=False
    )
    assert last("member.deactivate").changes == {"active": [True, False]}


def test_invitation_records_the_invited_role_and_unit(world):
    services.invitation_create(
        actor=world.a_admin, agency=world.a, email="New@a.gov", role=Role.TRAINER, unit=world.ops
    )
    assert last("member.invite").changes == {
        "email": [None, "new@a.gov"],
        "role": [None, "trainer"],
        "unit": [None, "Ops"],
    }


# --- readable actions ----------------------------------------------------------------------


def test_actions_read_in_the_viewers_language_and_unknown_codes_read_as_themselves():
    assert action_label("member.update", {"unit": ["Data", "Ops"]}) == "Moved to another unit"
    assert action_label("member.update", {"role": ["learner", "manager"]}) == (
        "Changed someone's role"
    )
    assert action_label("member.invite") == "Invited someone"
    assert action_label("something.new") == "something.new"
    with translation.override("fr"):
        assert action_label("member.update", {"unit": ["Data", "Ops"]}) == (
            "Déplacé dans une autre unité"
        )
        assert describe_changes({"role": ["learner", "manager"]}) == [
            ("Rôle", "Apprenant", "Gestionnaire")
        ]


def test_audit_page_shows_readable_action_and_before_after(world, client_for):
    membership = world.a_learner.membership
    services.membership_update(
        actor=world.a_admin, membership=membership, role=membership.role, unit=world.ops
    )
    content = client_for(world.a_admin).get(AUDIT).content.decode()
    assert "Moved to another unit" in content
    table = content[content.index("<table") :]
    assert "member.update" not in table
    assert 'Data <span aria-hidden="true">→</span>' in content
    assert "Ops</li>" in content


# --- filters -------------------------------------------------------------------------------


@pytest.fixture
def history(world):
    services.invitation_create(actor=world.a_admin, agency=world.a, email="one@a.gov")
    services.unit_create(actor=world.a_manager, agency=world.a, name="Lab", parent=world.digital)
    services.invitation_create(
        actor=world.a_manager, agency=world.a, email="two@a.gov", unit=world.data
    )
    services.invitation_create(actor=world.b_admin, agency=world.b, email="three@b.gov")
    return world


def _targets(response):
    return [line.event.target for line in response.context["lines"]]


def test_audit_log_filters_by_who_what_and_target(history, client_for):
    client = client_for(history.a_admin)
    assert _targets(client.get(AUDIT, {"who": "manager@"})) == ["two@a.gov", "Lab"]
    assert _targets(client.get(AUDIT, {"action": "member.invite"})) == ["two@a.gov", "one@a.gov"]
    assert _targets(client.get(AUDIT, {"target": "ONE@"})) == ["one@a.gov"]
    assert _targets(client.get(AUDIT, {"action": "member.invite", "who": "admin@"})) == [
        "one@a.gov"
    ]


def test_audit_log_dates_are_days_in_the_agency_time_zone(history, client_for):
    history.a.time_zone = "Pacific/Honolulu"
    history.a.save(update_fields=["time_zone"])
    actor_cache_expire_all()  # as agencies.services.agency_update_settings does
    honolulu = zoneinfo.ZoneInfo("Pacific/Honolulu")
    # 23:30 on 1 March in Honolulu is 09:30 UTC on 2 March.
    AuditEvent.objects.filter(target="one@a.gov").update(
        created_at=datetime.datetime(2025, 3, 1, 23, 30, tzinfo=honolulu)
    )
    AuditEvent.objects.filter(target="Lab").update(
        created_at=datetime.datetime(2025, 3, 2, 0, 30, tzinfo=honolulu)
    )
    client = client_for(history.a_admin)
    march_1 = {"date_from": "2025-03-01", "date_to": "2025-03-01"}
    assert _targets(client.get(AUDIT, march_1)) == ["one@a.gov"]
    assert _targets(client.get(AUDIT, {"date_from": "2025-03-02", "date_to": "2025-03-02"})) == [
        "Lab"
    ]
    page = client.get(AUDIT, march_1).content.decode()
    assert "2025-03-01 23:30 HST" in page, page[page.index("<tbody") :][:600]


def test_invalid_filter_values_are_shown_and_ignored(history, client_for):
    response = client_for(history.a_admin).get(AUDIT, {"date_from": "soon", "action": "nope"})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"date_from", "action"}
    assert len(response.context["lines"]) == 3


def test_filters_stay_in_pagination_and_export_links(world, client_for):
    for n in range(55):
        services.unit_create(actor=world.a_admin, agency=world.a, name=f"T{n}", parent=world.hq)
    content = client_for(world.a_admin).get(AUDIT, {"action": "unit.create"}).content.decode()
    assert "?action=unit.create&amp;page=2" in content
    assert f"{EXPORT}?action=unit.create" in content


def test_platform_admin_sees_all_agencies_and_can_pick_one(history, client_for):
    client = client_for(history.platform_admin)
    assert "three@b.gov" in _targets(client.get(AUDIT))
    only_b = _targets(client.get(AUDIT, {"agency": history.b.pk}))
    assert only_b == ["three@b.gov"]


def test_agency_admin_cannot_widen_the_log_to_another_agency(history, client_for):
    client = client_for(history.b_admin)
    assert _targets(client.get(AUDIT, {"agency": history.a.pk})) == ["three@b.gov"]
    assert "agency" not in client.get(AUDIT).context["form"].fields
    rows = list(csv.reader(io.StringIO(_csv(client.get(EXPORT, {"agency": history.a.pk})))))
    assert [row[6] for row in rows[1:]] == ["three@b.gov"]


@pytest.mark.parametrize("who", ["a_manager", "a_learner", "b_manager"])
def test_managers_and_learners_get_404_on_log_and_export(world, client_for, who):
    client = client_for(getattr(world, who))
    assert client.get(AUDIT).status_code == 404
    assert client.get(EXPORT).status_code == 404


# --- CSV export ----------------------------------------------------------------------------


def _csv(response):
    return b"".join(response.streaming_content).decode("utf-8-sig")


def test_csv_export_has_readable_actions_changes_and_only_filtered_rows(history, client_for):
    membership = history.a_learner.membership
    services.membership_update(
        actor=history.a_admin, membership=membership, role=membership.role, unit=history.ops
    )
    response = client_for(history.a_admin).get(EXPORT, {"who": "admin@a.gov"})
    assert response["Content-Type"] == "text/csv"
    assert response["Content-Disposition"].startswith('attachment; filename="audit-log-')
    rows = list(csv.reader(io.StringIO(_csv(response))))
    assert rows[0][:7] == ["When", "Time zone", "Agency", "Who", "Action", "Action code", "Target"]
    assert [row[5] for row in rows[1:]] == ["member.update", "member.invite"]
    assert rows[1][4] == "Moved to another unit"
    assert rows[1][7] == "Unit: Data → Ops"
    assert all(row[3] == "admin@a.gov" for row in rows[1:])


def test_csv_export_neutralises_formulas(world, client_for):
    services.unit_create(actor=world.a_admin, agency=world.a, name="=HYPERLINK(1)", parent=None)
    rows = list(csv.reader(io.StringIO(_csv(client_for(world.a_admin).get(EXPORT)))))
    assert rows[1][6] == "'=HYPERLINK(1)"
    assert rows[1][7] == "Name: — → =HYPERLINK(1)"  # not at the start of the cell: harmless


def test_csv_export_in_french(world, client_for):
    services.invitation_create(actor=world.a_admin, agency=world.a, email="x@a.gov")
    client = client_for(world.a_admin)
    response = client.get(EXPORT, headers={"accept-language": "fr"})
    rows = list(csv.reader(io.StringIO(_csv(response))))
    assert rows[1][4] == "A invité une personne"


# --- query counts --------------------------------------------------------------------------


@pytest.fixture
def busy(world):
    for n in range(40):
        services.unit_create(actor=world.a_admin, agency=world.a, name=f"T{n}", parent=world.hq)
    for membership in [world.a_learner.membership, world.a_ops_learner.membership]:
        for unit in [world.hq, world.ops, world.data] * 3:
            services.membership_update(
                actor=world.a_admin, membership=membership, role=Role.LEARNER, unit=unit
            )
    services.invitation_create(actor=world.b_admin, agency=world.b, email="y@b.gov")
    return world


@pytest.mark.parametrize(
    "who, params, queries",
    [
        ("a_admin", {}, 3),
        ("a_admin", {"action": "member.update", "who": "admin", "date_from": "2020-01-01"}, 3),
        # + the agencies of the agency filter
        ("platform_admin", {}, 4),
        # + the chosen agency, looked up by the form
        ("platform_admin", {"agency": "A"}, 5),
    ],
)
def test_audit_log_query_count_is_exact(
    busy, client_for, django_assert_num_queries, who, params, queries
):
    client = client_for(getattr(busy, who))
    if params.get("agency") == "A":
        params = {"agency": busy.a.pk}
    # Warm up: the first request after sign-in saves the session.
    client.get(AUDIT, params)
    with django_assert_num_queries(queries):
        response = client.get(AUDIT, params)
    assert len(response.context["lines"]) == 50 or params.get("action")


def test_audit_export_query_count_is_exact(busy, client_for, django_assert_num_queries):
    client = client_for(busy.a_admin)
    # Warm up: the first request after sign-in saves the session.
    client.get(EXPORT)
    with django_assert_num_queries(2):
        rows = _csv(client.get(EXPORT)).splitlines()
    assert len(rows) == 1 + AuditEvent.objects.filter(agency=busy.a).count()


def test_reminder_policy_change_records_before_and_after(world):
    from reminders import services as reminder_services

    reminder_services.policy_update(
        actor=world.a_admin, agency=world.a, before_days=[10, 2], overdue_every_days=7
    )
    assert last("reminder.policy").changes == {"before_days": [[14, 7, 1], [10, 2]]}
    reminder_services.policy_update(
        actor=world.a_admin, agency=world.a, before_days=[10, 2], overdue_every_days=3
    )
    assert last("reminder.policy").changes == {"overdue_every_days": [7, 3]}


def test_assignment_create_and_remove_record_before_and_after(world):
    from reminders import services as reminder_services
    from tests.builders import build_course

    course = build_course(world.a_admin, world.a, publish=True)
    assignment = reminder_services.assignment_create(
        actor=world.a_admin, course=course, target="unit", unit=world.ops, due_days=30
    )
    changes = last("assignment.create").changes
    assert changes["course"] == [None, str(course)]
    assert changes["unit"] == [None, "Ops"] and changes["due_days"] == [None, 30]
    reminder_services.assignment_remove(actor=world.a_admin, assignment=assignment)
    assert last("assignment.remove").changes == {"status": ["active", "removed"]}


# --- the structured log line (academy.audit) -----------------------------------------------


def _audit_lines(caplog):
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == "academy.audit"]


def test_each_committed_audit_row_is_one_json_log_line(
    world, caplog, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.INFO, logger="academy.audit")
    with django_capture_on_commit_callbacks(execute=True):
        services.unit_create(
            actor=world.a_admin, agency=world.a, name="Labs", parent=world.hq, ip="192.0.2.7"
        )
    (line,) = _audit_lines(caplog)
    event = last("unit.create")
    assert line == {
        "type": "academy.audit",
        "id": event.pk,
        "time": event.created_at.astimezone(datetime.UTC).isoformat(),
        "actor_id": world.a_admin.pk,
        "actor": "admin@a.gov",
        "action": "unit.create",
        "target": "Labs",
        "outcome": "success",
        "ip": "192.0.2.7",
        "agency_id": world.a.pk,
        "changes": {"name": [None, "Labs"], "parent": [None, "HQ"]},
        "reasons": [],
    }
    assert "\n" not in caplog.records[-1].getMessage()


def test_a_refusal_is_logged_with_its_reasons(world, caplog, django_capture_on_commit_callbacks):
    caplog.set_level(logging.INFO, logger="academy.audit")
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(services.ValidationError):
            services.unit_create(actor=world.a_learner, agency=world.a, name="Labs")
    (line,) = _audit_lines(caplog)
    assert line["outcome"] == "rejected"
    assert line["actor"] == "learner@a.gov"
    assert line["reasons"]


def test_an_audit_row_rolled_back_is_never_logged(
    world, caplog, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.INFO, logger="academy.audit")
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            services.unit_create(actor=world.a_admin, agency=world.a, name="Labs")
            raise RuntimeError("the request failed after the change")
    assert _audit_lines(caplog) == []
    assert not AuditEvent.objects.filter(action="unit.create").exists()


@pytest.mark.parametrize("refused_in, read_in", [("fr", "en"), ("en", "fr")])
def test_a_refusals_reasons_are_read_in_the_readers_language(
    world, client_for, refused_in, read_in
):
    with translation.override(refused_in), pytest.raises(services.ValidationError):
        services.unit_create(actor=world.a_admin, agency=world.a, name="  ")
    client = client_for(world.a_admin)
    client.cookies["django_language"] = read_in
    page = client.get(reverse("agencies:audit_log")).content.decode()
    expected = {"en": "Give the unit a name.", "fr": "Donnez un nom à l&#x27;unité."}
    assert expected[read_in] in page
    assert expected[refused_in] not in page
