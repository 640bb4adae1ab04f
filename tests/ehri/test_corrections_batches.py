"""Corrections are found batch by batch (bounded memory): the same corrections whatever the
batch size, across batch boundaries, with a fixed number of queries per batch."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ehri import corrections as corrections_module
from ehri import services
from ehri.corrections import corrections_batches, corrections_find
from ehri.models import FeedExport, ReportedRecord
from learning.models import Enrollment, EnrollmentStatus

from ..builders import make_member, simple_course
from .conftest import code_course, complete, this_month

pytestmark = pytest.mark.django_db

REVOKED_AT = (1, 2, 3, 8)  # positions (in reported order) whose completion is undone
CHANGED_AT = (5, 9)  # positions whose completion moved to another day


def _export(world):
    start, end = this_month(world.a)
    export = FeedExport.objects.create(agency=world.a, period_start=start, period_end=end)
    services.feed_export_execute(export_id=export.pk)
    export.refresh_from_db()
    assert export.status == FeedExport.Status.DONE, export.error
    return export


@pytest.fixture
def ten_reported(world):
    """Ten completions of agency A reported by a first feed; then four undone and two moved
    to another day, spread over what batches of three would be."""
    services.reporting_settings_save(
        actor=world.a_admin, agency=world.a, subelement_code="AB12", require_coding=False
    )
    course = simple_course(world.a_trainer, world.a, slug="batches", title="Batches")
    code_course(world.a_trainer, course)
    for n in range(10):
        person = make_member(world.a, unit=world.hq, email=f"b{n}@a.gov")
        services.employee_id_set(
            actor=world.a_admin, agency=world.a, user_id=person.pk, employee_id=f"B-{n}"
        )
        complete(person, course)
    first = _export(world)
    assert first.records == 10
    reported = list(ReportedRecord.objects.filter(export=first).order_by("pk"))
    for position in REVOKED_AT:
        Enrollment.objects.filter(pk=reported[position].enrollment_id).update(
            status=EnrollmentStatus.IN_PROGRESS
        )
    for position in CHANGED_AT:
        enrollment = Enrollment.objects.get(pk=reported[position].enrollment_id)
        Enrollment.objects.filter(pk=enrollment.pk).update(
            completed_at=enrollment.completed_at - datetime.timedelta(days=40)
        )
    return reported


def _summary(found):
    return sorted((item.reported_id, item.kind) for item in found)


def test_small_batches_find_the_same_corrections_across_their_boundaries(world, ten_reported):
    expected = sorted(
        [(ten_reported[p].pk, "revoked") for p in REVOKED_AT]
        + [(ten_reported[p].pk, "changed") for p in CHANGED_AT]
    )
    assert _summary(corrections_find(agency=world.a)) == expected
    assert _summary(corrections_find(agency=world.a, chunk_size=3)) == expected
    batches = list(corrections_batches(agency=world.a, chunk_size=3))
    assert len(batches) == 4  # 3 + 3 + 3 + 1 reported rows
    # rows 0-2: 1, 2 | rows 3-5: 3, 5 | rows 6-8: 8 | row 9: 9
    assert [len(batch) for batch in batches] == [2, 2, 1, 1]
    assert [len(b) for b in corrections_batches(agency=world.a, chunk_size=3)] == [
        len(b) for b in batches
    ]


def test_each_batch_costs_a_fixed_number_of_queries(world, ten_reported):
    batches = corrections_batches(agency=world.a, chunk_size=3)
    counts = []
    while True:
        with CaptureQueriesContext(connection) as queries:
            batch = next(batches, None)
        if batch is None:
            assert len(queries) == 0  # no empty batch is read at the end
            break
        counts.append(len(queries))
    # The first batch also reads the last row's key; then the batch's rows and the
    # enrollments (no session was reported: no registration query).
    assert counts == [3, 2, 2, 2]


def test_the_export_marks_and_lists_the_same_corrections_in_small_batches(
    world, ten_reported, monkeypatch
):
    monkeypatch.setattr(corrections_module, "CORRECTIONS_CHUNK", 3)
    second = _export(world)
    assert second.corrections == 6
    marked = ReportedRecord.objects.filter(corrected_in=second)
    assert sorted(marked.values_list("pk", "correction")) == sorted(
        [(ten_reported[p].pk, "revoked") for p in REVOKED_AT]
        + [(ten_reported[p].pk, "changed") for p in CHANGED_AT]
    )
    from .test_feed import read

    lines = read(second.corrections_file).decode().splitlines()
    assert len(lines) == 7 and lines[0].startswith("Correction|")
    assert sorted(line.split("|")[0] for line in lines[1:]) == ["changed"] * 2 + ["revoked"] * 4
    # Listed once: the next feed finds none, and its own new rows are not checked against
    # themselves.
    assert _export(world).corrections == 0
