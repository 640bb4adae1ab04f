import datetime as dt

import time_machine

from learning import services
from learning.selectors import my_learning


def _assigned_due(world, course, due_on):
    return services.enrollment_create(
        user=world.a_learner, course=course, due_on=due_on, required=True
    )


@time_machine.travel(dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.UTC), tick=False)
def test_overdue_is_judged_in_the_agency_time_zone(world, course):
    world.a.time_zone = "Pacific/Kiritimati"  # UTC+14: already 2 January there
    world.a.save(update_fields=["time_zone"])
    _assigned_due(world, course, dt.date(2026, 1, 1))

    (entry,) = my_learning(world.a_learner, with_paths=False)["assigned"]

    assert entry.is_overdue is True


@time_machine.travel(dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.UTC), tick=False)
def test_due_today_is_not_overdue_in_a_zone_still_on_the_due_date(world, course):
    world.a.time_zone = "America/Los_Angeles"  # 04:00 on 1 January there
    world.a.save(update_fields=["time_zone"])
    _assigned_due(world, course, dt.date(2026, 1, 1))

    (entry,) = my_learning(world.a_learner, with_paths=False)["assigned"]

    assert entry.is_overdue is False
