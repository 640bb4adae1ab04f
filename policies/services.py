"""Changes of state of the AI policy: the draft, publishing a version, acknowledging it.

Every change is audited (agencies.audit.audited): who, what, the IP, success or refusal."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.access import actor_for
from agencies.audit import audited
from courses.markdown import render_markdown

from .cells import person_acknowledged, policy_published
from .models import Acknowledgement, AgencyPolicy, PolicyVersion
from .terms import acknowledged_since


def _require_admin(actor, agency) -> None:
    if not actor_for(actor).administers_agency(agency.pk):
        raise PermissionDenied


def policy_draft_save(
    *, actor, agency, title: str, body_en: str, body_fr: str, due_days: int, yearly: bool, ip=None
) -> AgencyPolicy:
    """Save the agency's draft and terms (only its administrators). Published versions are
    untouched: the draft reaches people only through `policy_publish`."""
    _require_admin(actor, agency)
    if not 1 <= due_days <= 365:
        raise ValidationError({"due_days": _("Give a number of days from 1 to 365.")})
    with audited(actor=actor, agency=agency, action="policy.draft_save", ip=ip) as entry:
        policy, _created = AgencyPolicy.objects.select_for_update().get_or_create(agency=agency)
        fields = {
            "draft_title": title.strip(),
            "draft_body_en": body_en,
            "draft_body_fr": body_fr,
            "due_days": due_days,
            "yearly": yearly,
        }
        entry.changes = {
            name: [getattr(policy, name), value]
            for name, value in fields.items()
            if getattr(policy, name) != value and not name.startswith("draft_body")
        }
        for name, value in fields.items():
            setattr(policy, name, value)
        policy.save(update_fields=[*fields, "updated_at"])
    return policy


def policy_publish(*, actor, agency, ip=None) -> PolicyVersion:
    """Freeze the draft as the next version, rendered through the lessons' sanitiser. Everyone
    in the agency is then asked to acknowledge it (earlier acknowledgements are kept)."""
    _require_admin(actor, agency)
    with audited(actor=actor, agency=agency, action="policy.publish", ip=ip) as entry:
        policy = AgencyPolicy.objects.select_for_update().filter(agency=agency).first()
        if policy is None or not policy.draft_title or not policy.draft_body_en.strip():
            raise ValidationError(_("Write a title and the English text before publishing."))
        number = (policy.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = PolicyVersion.objects.create(
            policy=policy,
            agency=agency,
            number=number,
            title=policy.draft_title,
            body_en=policy.draft_body_en,
            body_fr=policy.draft_body_fr,
            html_en=render_markdown(policy.draft_body_en),
            html_fr=render_markdown(policy.draft_body_fr),
            published_at=timezone.now(),
            published_by=actor,
        )
        entry.changes = {"version": [number - 1 or None, number]}
        policy_published(agency.pk)
    return version


def names_match(typed: str, full_name: str) -> bool:
    """The same name, ignoring case and spaces ("ana  de la cruz" matches "Ana de la Cruz")."""

    def norm(text):
        return "".join(text.split()).casefold()

    return bool(norm(full_name)) and norm(typed) == norm(full_name)


def policy_acknowledge(*, user, version, typed_name: str, ip=None, now=None) -> Acknowledgement:
    """Record that `user` read and accepts `version`, signed with their name as their account
    spells it (case and spaces aside). Only the agency's current version can be acknowledged.
    Calling it again while the acknowledgement stands returns that one (a double click)."""
    now = now or timezone.now()
    actor = actor_for(user)
    if actor.agency_id != version.agency_id:
        raise PermissionDenied
    latest = PolicyVersion.objects.filter(agency_id=version.agency_id).order_by("-number")
    is_current = latest.values_list("pk", flat=True).first() == version.pk
    policy = AgencyPolicy.objects.get(pk=version.policy_id)
    mine = Acknowledgement.objects.filter(user=user, version=version)
    since = acknowledged_since(yearly=policy.yearly, now=now)
    standing = mine.filter(**({"acknowledged_at__gte": since} if since else {})).first()
    if is_current and standing is not None:
        return standing
    with audited(
        actor=user,
        agency=version.agency,
        action="policy.acknowledge",
        target=f"v{version.number}",
        ip=ip,
    ) as entry:
        if not is_current:
            raise ValidationError(_("A newer version of the policy has been published."))
        if not names_match(typed_name, user.full_name):
            raise ValidationError(
                {"typed_name": _("Type your full name as it appears on your account.")}
            )
        before = mine.order_by("-acknowledged_at").values_list("acknowledged_at", flat=True)
        before_at = before.first()
        try:
            with transaction.atomic():
                ack = Acknowledgement.objects.create(
                    version=version,
                    agency_id=version.agency_id,
                    user=user,
                    round=mine.count(),
                    typed_name=typed_name.strip(),
                    acknowledged_at=now,
                    ip_address=ip,
                )
                person_acknowledged(
                    user_id=user.pk,
                    agency_id=version.agency_id,
                    version_id=version.pk,
                    before_day=before_at.date() if before_at else None,
                    day=now.date(),
                )
        except IntegrityError:  # the same person's other request won the race
            return mine.order_by("-round").first()
        entry.changes = {"acknowledged": [None, f"v{version.number}"]}
    return ack
