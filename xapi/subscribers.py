"""The xAPI outbox follows learning's events, in learning's transaction (XapiConfig.ready)."""

from academy.events import subscribe
from learning.events import LearningRecorded

from .services import statements_record


def statements_follow(event: LearningRecorded) -> None:
    statements_record(event.records)


def register() -> None:
    subscribe(LearningRecorded, statements_follow, app_label="xapi")
