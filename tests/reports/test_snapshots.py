import datetime
import io

import pytest
from django.core.management import CommandError, call_command

from reports.models import DailySnapshot
from reports.services.snapshots import snapshots_backfill, snapshots_write
from reports.tasks import reports_nightly_task

pytestmark = pytest.mark.django_db

DAY = datetime.date(2025, 3, 11)


def rows(day):
    return {
        (s.unit_id): {f: getattr(s, f) for f in DailySnapshot.FIGURES}
        for s in DailySnapshot.objects.filter(agency__slug="agency-a", day=day)
    }


def test_snapshot_figures_per_unit_at_the_end_of_the_day(dash):
    w = dash.w
    snapshots_write(day=DAY)
    ops = rows(DAY)[w.ops.pk]
    # ops@a.gov joined "today" (the world fixture runs in real time): only o2 was a member then.
    assert ops == {
        "members": 1,
        "activated": 0,
        "enrolled": 3,
        "in_progress": 2,
        "completed": 1,
        "overdue": 1,
        "completions": 0,
        "active_learners": 1,
        "learners_started": 2,
        "learners_completed": 1,
    }
    snapshots_write(day=datetime.date(2025, 3, 3))
    data = rows(datetime.date(2025, 3, 3))[w.data.pk]
    assert (data["completions"], data["completed"], data["overdue"]) == (1, 1, 0)


def test_writing_a_day_twice_changes_nothing(dash):
    assert snapshots_write(day=DAY) > 0
    first = list(DailySnapshot.objects.order_by("pk").values())
    assert snapshots_write(day=DAY) == 0
    assert list(DailySnapshot.objects.order_by("pk").values()) == first


def test_backfill_writes_missed_days_and_command_refuses_the_future(dash):
    changed = snapshots_backfill(start=datetime.date(2025, 3, 1), end=datetime.date(2025, 3, 5))
    assert changed > 0
    assert set(DailySnapshot.objects.values_list("day", flat=True)) == {
        datetime.date(2025, 3, d) for d in range(1, 6)
    }
    out = io.StringIO()
    call_command("snapshots_backfill", "--start", "2025-03-01", "--end", "2025-03-05", stdout=out)
    assert "0 rows" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("snapshots_backfill", "--end", "2999-01-01", stdout=io.StringIO())


def test_nightly_task_repairs_drift_and_snapshots(dash):
    from reports.models import EnrollmentCount

    EnrollmentCount.objects.filter(agency=dash.w.a).update(n=0)
    result = reports_nightly_task.delay(DAY.isoformat()).get()
    assert result["drift_agencies"] == [dash.w.a.pk] and result["snapshot_rows"] > 0
    assert reports_nightly_task.delay(DAY.isoformat()).get() == {
        "drift_agencies": [],
        "drift_cells": 0,
        "snapshot_rows": 0,
    }


def test_recompute_command_check_mode_exits_nonzero_on_drift(dash):
    from reports.models import EnrollmentCount

    EnrollmentCount.objects.filter(agency=dash.w.a).update(n=5)
    with pytest.raises(SystemExit):
        call_command("reports_recompute", "--check", stdout=io.StringIO())
    out = io.StringIO()
    call_command("reports_recompute", stdout=out)
    call_command("reports_recompute", "--check", stdout=out)
    assert out.getvalue().endswith("No drift.\n")


def test_snapshot_days_are_the_agency_days(world):
    import time_machine

    from learning import services as learning
    from tests.builders import build_course

    world.a.time_zone = "Pacific/Kiritimati"  # UTC+14
    world.a.save(update_fields=["time_zone"])
    course = build_course(world.a_trainer, world.a, slug="tz-snap", publish=True)
    # 12 March, 20:00 UTC is already 13 March, 10:00 in the agency.
    with time_machine.travel(datetime.datetime(2025, 3, 12, 20, tzinfo=datetime.UTC), tick=False):
        learning.enrollment_create(user=world.a_learner, course=course, required=True)
    snapshots_write(day=datetime.date(2025, 3, 12))
    snapshots_write(day=datetime.date(2025, 3, 13))
    enrolled = {
        day: sum(r["enrolled"] for r in rows(day).values())
        for day in (datetime.date(2025, 3, 12), datetime.date(2025, 3, 13))
    }
    assert enrolled == {datetime.date(2025, 3, 12): 0, datetime.date(2025, 3, 13): 1}


def test_nightly_snapshot_is_each_agency_own_yesterday(world):
    import time_machine

    world.a.time_zone = "Pacific/Kiritimati"  # already 13 March there at 12:00 UTC on the 12th
    world.a.save(update_fields=["time_zone"])
    with time_machine.travel(datetime.datetime(2025, 3, 12, 12, tzinfo=datetime.UTC), tick=False):
        from agencies.models import Membership

        Membership.objects.update(joined_at=datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC))
        snapshots_write()
    days = dict(DailySnapshot.objects.values_list("agency__slug", "day").distinct())
    assert days == {"agency-a": datetime.date(2025, 3, 12), "agency-b": datetime.date(2025, 3, 11)}
