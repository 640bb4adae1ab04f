"""An agency's practice options: the review target."""

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from agencies.access import actor_for
from agencies.audit import audited

from ..models import REVIEW_TARGET_MAX_HOURS, PracticeSettings
from ..selectors import TARGETS_CACHE_KEY


def _forget_targets() -> None:
    try:
        cache.delete(TARGETS_CACHE_KEY)
    except Exception:  # noqa: BLE001 - an unreachable cache expires on its own (an hour)
        pass


def review_target_set(*, actor, agency, hours: int | None, ip=None) -> PracticeSettings | None:
    """An agency admin sets how long their agency's handed-in work may wait for a review before
    it is flagged and reminded (1 to 720 hours); None goes back to the platform's target.
    Audited; refused (nothing written) for anyone but the agency's admins or a platform admin,
    or a value out of range."""
    current = PracticeSettings.objects.filter(agency=agency).first()
    was = current.review_target_hours if current else None
    with audited(
        actor=actor,
        agency=agency,
        action="practice.review_target",
        ip=ip,
        changes={"review_target_hours": [was, hours]},
    ):
        if not actor_for(actor).administers_agency(agency.pk):
            raise ValidationError(_("Only the agency's admins can change its review target."))
        if hours is None:
            PracticeSettings.objects.filter(agency=agency).delete()
            saved = None
        else:
            if not 1 <= int(hours) <= REVIEW_TARGET_MAX_HOURS:
                raise ValidationError(
                    _("Choose a review target from 1 to %(max)d hours.")
                    % {"max": REVIEW_TARGET_MAX_HOURS}
                )
            saved, _created = PracticeSettings.objects.update_or_create(
                agency=agency, defaults={"review_target_hours": int(hours)}
            )
        _forget_targets()
        transaction.on_commit(_forget_targets)  # a read between the two cached the old value
    return saved
