import datetime
import io
import zoneinfo

import pytest
import time_machine
from django.core.management import call_command

from reminders import services
from reminders.models import Assignment, Kind, LogStatus, ReminderLog

pytestmark = pytest.mark.django_db


# Noon in the demo agency's zone (New York): the "due today" reminder waits for the agency's
# send hour (7:00), so before it, at night, the first scan rightly has no DUE reminder to send.
NOON_IN_NEW_YORK = datetime.datetime.combine(
    datetime.date.today(), datetime.time(12), tzinfo=zoneinfo.ZoneInfo("America/New_York")
)


@time_machine.travel(NOON_IN_NEW_YORK, tick=False)
def test_seed_demo_assignments_produce_reminders_on_the_first_scan(
    settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.DEBUG = True
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=io.StringIO())
    assert Assignment.objects.count() == 4
    with django_capture_on_commit_callbacks(execute=True):
        services.reminders_scan()
    kinds = set(ReminderLog.objects.filter(status=LogStatus.SENT).values_list("kind", flat=True))
    assert {Kind.OVERDUE, Kind.DUE, Kind.BEFORE, Kind.ESCALATION} <= kinds
    assert mailoutbox
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=io.StringIO())
    assert Assignment.objects.count() == 4
