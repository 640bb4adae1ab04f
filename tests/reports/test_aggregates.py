import datetime
from collections import defaultdict

import pytest

from agencies.dates import agency_date
from learning.events import EnrollmentState
from reports.models import (
    CompletionDay,
    CompletionTime,
    CourseCompletionTime,
    CourseCompletionWeek,
    CourseEnrollmentCount,
    CourseOpenDue,
    EnrollmentCount,
    OpenDueCount,
    UnitCompletionWeek,
    UnitEnrollmentCount,
    UnitOpenDue,
)
from reports.services.aggregates import (
    bucket_for,
    bucket_range,
    enrollment_changed,
    enrollments_changed,
)
from reports.services.recompute import aggregates_recompute, aggregates_recompute_agency

from .conftest import settle

pytestmark = pytest.mark.django_db

DUE = datetime.date(2025, 3, 1)


def state(world, course, **changes):
    values = {
        "agency_id": world.a.pk,
        "unit_id": world.data.pk,
        "course_id": course.pk,
        "required": True,
        "status": "not_started",
        "due_on": DUE,
    }
    values.update(changes)
    return EnrollmentState(**values)


def counts(model, **filters):
    return {
        row[:-1]: row[-1]
        for row in model.objects.filter(**filters).values_list(
            *[f for f in model.KEY_FIELDS if f not in ("agency_id", "course_id")], "n"
        )
    }


def test_buckets_are_exact_for_two_weeks_then_coarser():
    assert [bucket_for(d) for d in (0, 1, 13, 14, 20, 21, 90, 91, 120, 400)] == [
        0,
        1,
        13,
        14,
        14,
        21,
        84,
        91,
        91,
        365,
    ]
    assert bucket_range(14) == (14, 20)
    assert bucket_range(365) == (365, None)
    assert bucket_for(-3) == 0


def test_lifecycle_deltas_move_one_enrollment_between_cells(dash):
    w, course = dash.w, dash.c2
    for model in (EnrollmentCount, OpenDueCount, CompletionDay, CompletionTime):
        model.objects.filter(course=course).delete()
    created = state(w, course)
    enrollment_changed(before=None, after=created)
    assert counts(EnrollmentCount, course=course) == {(w.data.pk, True, "not_started"): 1}
    assert counts(OpenDueCount, course=course) == {(w.data.pk, True, DUE): 1}

    started = state(w, course, status="in_progress")
    enrollment_changed(before=created, after=started)
    done = state(
        w,
        course,
        status="completed",
        completed_on=datetime.date(2025, 3, 4),
        score=80,
        days_to_complete=3,
        certified=True,
    )
    enrollment_changed(before=started, after=done)
    assert counts(EnrollmentCount, course=course) == {
        (w.data.pk, True, "not_started"): 0,
        (w.data.pk, True, "in_progress"): 0,
        (w.data.pk, True, "completed"): 1,
    }
    row = EnrollmentCount.objects.get(course=course, status="completed")
    assert (row.score_sum, row.score_n, row.certified) == (80, 1, 1)
    assert counts(OpenDueCount, course=course) == {(w.data.pk, True, DUE): 0}
    assert counts(CompletionDay, course=course) == {(w.data.pk, True, datetime.date(2025, 3, 4)): 1}
    assert counts(CompletionTime, course=course) == {(w.data.pk, True, 3): 1}

    moved = state(
        w,
        course,
        status="completed",
        completed_on=datetime.date(2025, 3, 4),
        score=80,
        days_to_complete=3,
        certified=False,
        unit_id=None,
    )
    enrollment_changed(before=done, after=moved)
    assert EnrollmentCount.objects.get(course=course, unit=None, status="completed").n == 1
    enrollment_changed(before=moved, after=None)
    assert sum(EnrollmentCount.objects.filter(course=course).values_list("n", flat=True)) == 0


def test_no_change_writes_nothing(dash, django_assert_num_queries):
    same = state(dash.w, dash.c1)
    with django_assert_num_queries(0):
        enrollment_changed(before=same, after=same)


def test_batch_nets_out_opposite_changes(dash):
    w = dash.w
    first, second = state(w, dash.c2), state(w, dash.c2, status="in_progress")
    before = EnrollmentCount.objects.filter(course=dash.c2).count()
    enrollments_changed([(None, first), (first, None), (None, second), (second, None)])
    assert EnrollmentCount.objects.filter(course=dash.c2).count() == before


def test_recompute_finds_and_repairs_drift(dash):
    w = dash.w
    EnrollmentCount.objects.filter(agency=w.a, status="completed").update(n=99)
    OpenDueCount.objects.filter(agency=w.a).delete()
    CompletionDay.objects.create(
        agency=w.a, unit=w.ops, course=dash.c1, required=False, day=datetime.date(2020, 1, 1), n=5
    )
    drift = aggregates_recompute_agency(agency_id=w.a.pk, repair=False)
    tables = {d.table for d in drift}
    assert tables == {"EnrollmentCount", "OpenDueCount", "CompletionDay"}
    assert aggregates_recompute_agency(agency_id=w.a.pk, repair=False) == drift  # check only
    repaired = aggregates_recompute(repair=True)
    assert set(repaired) == {w.a.pk}
    assert aggregates_recompute_agency(agency_id=w.a.pk, repair=False) == []
    assert (
        EnrollmentCount.objects.get(agency=w.a, unit=w.data, course=dash.c1, status="completed").n
        == 1
    )
    assert not CompletionDay.objects.filter(day=datetime.date(2020, 1, 1)).exists()


def test_recompute_of_a_settled_world_finds_nothing(dash):
    assert settle(dash.w.a, dash.w.b) == []


def test_recompute_counts_certificates_and_revocations(dash):
    from learning.services import certificate_revoke

    w = dash.w
    row = EnrollmentCount.objects.get(agency=w.a, unit=w.data, course=dash.c1, status="completed")
    assert row.certified == 1
    certificate_revoke(
        actor=w.a_admin, certificate=dash.e.learner_c1.certificate, reason="Issued in error"
    )
    settle(w.a)
    row.refresh_from_db()
    assert row.certified == 0


ROLLUPS = (
    UnitOpenDue,
    CourseOpenDue,
    UnitCompletionWeek,
    CourseCompletionWeek,
    CourseCompletionTime,
)


def stored(model):
    return {
        row[:-1]: row[-1]
        for row in model.objects.filter(n__gt=0).values_list(*model.KEY_FIELDS, "n")
    }


def raw_rollups():
    """The roll-up rows as counted straight from the enrollments."""
    from learning.models import Enrollment

    raw = {model: defaultdict(int) for model in ROLLUPS}
    for e in Enrollment.objects.all():
        if e.status != "completed" and e.due_on is not None:
            raw[UnitOpenDue][(e.agency_id, e.unit_id, e.required, e.due_on)] += 1
            raw[CourseOpenDue][(e.agency_id, e.course_id, e.required, e.due_on)] += 1
        if e.status == "completed":
            day = agency_date(e.agency.time_zone, e.completed_at)
            week = day - datetime.timedelta(days=day.weekday())
            bucket = bucket_for((e.completed_at - (e.started_at or e.completed_at)).days)
            raw[UnitCompletionWeek][(e.agency_id, e.unit_id, e.required, week)] += 1
            raw[CourseCompletionWeek][(e.agency_id, e.course_id, e.required, week)] += 1
            raw[CourseCompletionTime][(e.agency_id, e.course_id, e.required, bucket)] += 1
    return {model: dict(counts) for model, counts in raw.items()}


STATUS_ROLLUPS = {UnitEnrollmentCount: "unit_id", CourseEnrollmentCount: "course_id"}


def stored_values(model):
    width = len(model.KEY_FIELDS)
    return {
        row[:width]: row[width:]
        for row in model.objects.filter(n__gt=0).values_list(*model.KEY_FIELDS, *model.VALUE_FIELDS)
    }


def raw_status_rollups():
    """Enrollments per unit (or course), required flag and status, with the completed ones'
    score sums, valid certificates, imported completions and expired certificates, counted
    straight from the enrollments."""
    from learning.models import Certificate, Enrollment

    valid = set(
        Certificate.objects.filter(revoked_at__isnull=True).values_list("enrollment_id", flat=True)
    )
    expired = set(
        Certificate.objects.filter(revoked_at__isnull=True, expired_at__isnull=False).values_list(
            "enrollment_id", flat=True
        )
    )
    raw = {model: defaultdict(lambda: [0, 0, 0, 0, 0, 0]) for model in STATUS_ROLLUPS}
    for e in Enrollment.objects.all():
        completed = e.status == "completed"
        score = e.final_score if completed else None
        for model, key in STATUS_ROLLUPS.items():
            cell = raw[model][(e.agency_id, getattr(e, key), e.required, e.status)]
            cell[0] += 1
            cell[1] += score or 0
            cell[2] += score is not None
            cell[3] += completed and e.pk in valid
            cell[4] += completed and e.imported_at is not None
            cell[5] += completed and e.pk in expired
    return {model: {k: tuple(v) for k, v in cells.items()} for model, cells in raw.items()}


def check_rollups_equal_raw_counts():
    raw = raw_rollups()
    for model in ROLLUPS:
        assert stored(model) == raw[model], model.__name__
    raw = raw_status_rollups()
    for model in STATUS_ROLLUPS:
        assert stored_values(model) == raw[model], model.__name__


def test_rollups_equal_raw_counts_after_each_learning_service(dash):
    from learning import services as learning
    from tests.builders import complete_lesson as lesson

    from .conftest import at

    check = check_rollups_equal_raw_counts

    w = dash.w
    check()  # after enrollment_create and lesson_complete (the fixture's timeline)
    with at((3, 11)):
        lesson(dash.e.ops_c1, "two")  # completes a required course: open due -> week, time
    check()
    with at((3, 11)):
        extra = learning.enrollment_create(
            user=dash.d2, course=dash.c2, required=True, due_on=datetime.date(2025, 3, 30)
        )
    check()
    with at((3, 12)):
        lesson(extra, "one")
        lesson(extra, "two")
    check()
    learning.certificate_revoke(
        actor=w.a_admin, certificate=dash.e.learner_c1.certificate, reason="Issued in error"
    )
    check()
    assert settle(w.a, w.b) == []


def test_recompute_repairs_drift_in_every_rollup(dash):
    w = dash.w
    UnitOpenDue.objects.filter(agency=w.a).update(n=99)
    CourseOpenDue.objects.filter(agency=w.a).delete()
    UnitCompletionWeek.objects.create(
        agency=w.a, unit=w.ops, required=False, week=datetime.date(2020, 1, 6), n=3
    )
    CourseCompletionWeek.objects.filter(agency=w.a).update(n=7)
    CourseCompletionTime.objects.filter(agency=w.a).delete()
    UnitEnrollmentCount.objects.filter(agency=w.a, status="completed").update(certified=5)
    CourseEnrollmentCount.objects.filter(agency=w.a).delete()
    expected = raw_rollups()
    expected_status = raw_status_rollups()
    drift = aggregates_recompute_agency(agency_id=w.a.pk, repair=False)
    assert {d.table for d in drift} == {model.__name__ for model in (*ROLLUPS, *STATUS_ROLLUPS)}
    aggregates_recompute(repair=True)
    assert aggregates_recompute_agency(agency_id=w.a.pk, repair=False) == []
    for model in ROLLUPS:
        assert stored(model) == expected[model], model.__name__
    for model in STATUS_ROLLUPS:
        assert stored_values(model) == expected_status[model], model.__name__
