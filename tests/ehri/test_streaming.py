"""The export streams (flat memory, a number of queries that does not grow with the rows) and
old exports are purged with their files."""

import datetime

from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from lxml import etree

from ehri import feed as feed_module
from ehri import services
from ehri.models import FeedExport, ReportedRecord

from ..builders import make_member, simple_course
from .conftest import code_course, complete, this_month
from .test_feed import SCHEMA, read


def _learners(world, count, start):
    people = []
    for n in range(start, start + count):
        user = make_member(world.a, unit=world.hq, email=f"p{n}@a.gov")
        services.employee_id_set(
            actor=world.a_admin, agency=world.a, user_id=user.pk, employee_id=f"E-{n}"
        )
        people.append(user)
    return people


def _export_queries(world):
    start, end = this_month(world.a)
    export = FeedExport.objects.create(agency=world.a, period_start=start, period_end=end)
    with CaptureQueriesContext(connection) as queries:
        services.feed_export_execute(export_id=export.pk)
    export.refresh_from_db()
    assert export.status == FeedExport.Status.DONE, export.error
    return export, len(queries)


def test_the_exports_queries_do_not_grow_with_the_number_of_completions(world, monkeypatch):
    services.reporting_settings_save(
        actor=world.a_admin, agency=world.a, subelement_code="AB12", require_coding=False
    )
    courses = [simple_course(world.a_trainer, world.a, slug=f"c{i}", title=f"C{i}") for i in (1, 2)]
    for course in courses:
        code_course(world.a_trainer, course)
    for person in _learners(world, 2, 0):
        complete(person, courses[0])
    _export_queries(world)  # a first feed: later ones look up its records for corrections
    small, small_queries = _export_queries(world)
    for person in _learners(world, 6, 10):
        for course in courses:
            complete(person, course)
    large, large_queries = _export_queries(world)
    assert (small.records, large.records) == (2, 14)
    assert large_queries == small_queries  # no query per record, per course or per person
    assert ReportedRecord.objects.filter(export=large).count() == 12  # 2 were reported before

    # Across chunk boundaries the records are the same, in the same order.
    monkeypatch.setattr(feed_module, "FEED_CHUNK", 3)
    chunked, _queries = _export_queries(world)
    assert read(chunked.delimited_file) == read(large.delimited_file)
    assert SCHEMA.validate(etree.fromstring(read(chunked.xml_file))), SCHEMA.error_log


def test_old_exports_are_purged_with_their_files_and_recent_ones_kept(
    world, reporting, settings, django_capture_on_commit_callbacks
):
    from .test_feed import produce

    settings.EHRI_FEED_RETENTION_DAYS = 400
    old = produce(world, django_capture_on_commit_callbacks)
    recent = produce(world, django_capture_on_commit_callbacks)
    FeedExport.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=401)
    )
    names = [old.xml_file.name, old.delimited_file.name, old.corrections_file.name]
    assert all(default_storage.exists(name) for name in names)
    assert services.feed_exports_purge() == 1
    assert not any(default_storage.exists(name) for name in names)
    assert list(FeedExport.objects.values_list("pk", flat=True)) == [recent.pk]
    assert default_storage.exists(recent.xml_file.name)
    assert not ReportedRecord.objects.filter(export_id=old.pk).exists()


def test_the_purge_runs_nightly_from_the_beat(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["ehri-purge-feeds"]
    assert entry["task"] == "ehri.tasks.feed_exports_purge_task"


def test_the_purge_task_calls_the_service(world, settings):
    from ehri.tasks import feed_exports_purge_task

    settings.EHRI_FEED_RETENTION_DAYS = 0
    FeedExport.objects.create(
        agency=world.a,
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 1, 31),
    )
    assert feed_exports_purge_task() == 1
