"""The demo agency's AI policy for `seed_demo`: rules of behaviour for generative AI tools
(English and French, in policies/demo_text/), published by the agency admin, and acknowledged
by some of its people (not learner@demo.gov, who is asked to on My learning). Runs once: an
agency that already has a version is left alone."""

import datetime
from pathlib import Path

from django.utils import timezone

from accounts.models import User
from agencies.models import Agency, Membership

from . import services
from .models import PolicyVersion

TEXT = Path(__file__).resolve().parent / "demo_text"
AGENCY = "demo-agency"
ADMIN = "agencyadmin@demo.gov"
NOT_YET = {"learner@demo.gov"}


def seed_ai_policy() -> int:
    """Publish the demo policy and record acknowledgements; returns how many were recorded."""
    agency = Agency.objects.filter(slug=AGENCY).first()
    admin = User.objects.filter(email=ADMIN).first()
    if agency is None or admin is None or PolicyVersion.objects.filter(agency=agency).exists():
        return 0
    services.policy_draft_save(
        actor=admin,
        agency=agency,
        title="Rules of behaviour for generative AI tools",
        body_en=(TEXT / "en.md").read_text(encoding="utf-8"),
        body_fr=(TEXT / "fr.md").read_text(encoding="utf-8"),
        due_days=30,
        yearly=True,
    )
    version = services.policy_publish(actor=admin, agency=agency)
    people = (
        Membership.objects.filter(agency=agency, is_active=True)
        .exclude(user__email__in=NOT_YET)
        .exclude(user__full_name="")
        .select_related("user")
        .order_by("user_id")
    )
    recorded = 0
    now = timezone.now()
    for n, membership in enumerate(people):
        if n % 3 == 2:  # about a third have not acknowledged yet
            continue
        services.policy_acknowledge(
            user=membership.user,
            version=version,
            typed_name=membership.user.full_name,
            now=now - datetime.timedelta(hours=n),
        )
        recorded += 1
    return recorded
