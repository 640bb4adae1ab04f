"""The dashboard's practice review figures: waiting, waiting longer than the target, oldest."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
import time_machine
from django.utils import timezone

from practice import selectors, services

pytestmark = pytest.mark.django_db


def test_reviews_waiting_longer_than_the_target_are_counted_in_scope(world, enrollment, settings):
    settings.PRACTICE_REVIEW_TARGET_HOURS = 48
    start = timezone.now()
    with time_machine.travel(start - timedelta(hours=50), tick=False):
        services.submission_submit(
            enrollment=enrollment, task_key="rewrite-prompt", text="Mine", base_version=0
        )
    own = SimpleNamespace(agency=world.a, unit=None)
    figures = selectors.review_figures(own)
    assert (figures["waiting"], figures["late"], figures["target_hours"]) == (1, 1, 48)
    assert figures["oldest"] < start - timedelta(hours=49)
    settings.PRACTICE_REVIEW_TARGET_HOURS = 72
    assert selectors.review_figures(own)["late"] == 0
    other = selectors.review_figures(SimpleNamespace(agency=world.b, unit=None))
    assert (other["waiting"], other["late"]) == (0, 0)
    ops = selectors.review_figures(SimpleNamespace(agency=world.a, unit=world.ops))
    assert ops["waiting"] == 0  # the learner is in Data, not Ops
