"""Small helpers shared by the studio views."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from academy.forms import apply_validation_error
from agencies.access import actor_for
from agencies.models import Agency

from ..access import can_author_for
from .forms import PLATFORM


def apply_service(form, call, field=None):
    """Run a service; put its refusal on the form (as it said it) instead of letting it escape."""
    try:
        return call()
    except ValidationError as error:
        apply_validation_error(form, error, field)
        return None


def owner_choices(user) -> list[tuple[str, str]]:
    """Where the user may create courses: their agency, and/or the platform."""
    actor = actor_for(user)
    choices = []
    if actor.is_trainer and actor.agency_id:
        choices.append((str(actor.agency_id), actor.agency_name or _("My agency")))
    if actor.is_platform_admin:
        choices.append((PLATFORM, _("Platform course (for every agency)")))
    return choices


def chosen_owner(user, form):
    """The owner Agency picked on the form (None: a platform course), checked by the rules."""
    choices = owner_choices(user)
    picked = form.cleaned_data.get("owner") or (choices[0][0] if choices else PLATFORM)
    agency = None if picked == PLATFORM else Agency.objects.filter(pk=picked).first()
    if not can_author_for(actor_for(user), agency):
        form.add_error(None, _("You cannot create courses here."))
        return False, None
    return True, agency


_HEADING = re.compile(r"<(/?)h([1-6])\b", re.IGNORECASE)


def demote_headings(html: str, by: int = 1) -> str:
    """Shift rendered headings down so lesson text never adds a second h1 to a studio page.

    Runs on HTML that render_markdown already sanitised; it only renames heading tags.
    """
    return _HEADING.sub(lambda m: f"<{m.group(1)}h{min(6, int(m.group(2)) + by)}", html)
