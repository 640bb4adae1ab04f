"""What learning does when other apps publish events (wired in LearningConfig.ready)."""

from academy.events import subscribe
from agencies.events import MemberMoved

from .services import enrollments_move_unit


def enrollments_follow_member(event: MemberMoved) -> None:
    """A person's enrollments (and so the unit figures) move with them."""
    enrollments_move_unit(user_id=event.member.user_id, unit_id=event.member.unit_id)


def register() -> None:
    subscribe(MemberMoved, enrollments_follow_member, app_label="learning")
