"""Reads of the AI policy for display, each scoped to the acting user, in a bounded number of
queries whatever the number of people."""

from types import SimpleNamespace

from django.db.models import BooleanField, Case, Count, Max, OuterRef, Q, Subquery, Value, When
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from academy.prepared import prepared
from agencies.access import actor_for
from agencies.models import Membership

from .models import Acknowledgement, AgencyPolicy, PolicyVersion
from .terms import acknowledged_since, open_request


def current_version(agency_id) -> PolicyVersion | None:
    """The agency's latest published version (one query)."""
    if agency_id is None:
        return None
    return (
        PolicyVersion.objects.filter(agency_id=agency_id)
        .select_related("policy")
        .order_by("-number")
        .first()
    )


def policy_admin_page(*, agency) -> dict:
    """The admin's page: the draft (or None) and every version with how many acknowledged it."""
    policy = AgencyPolicy.objects.filter(agency=agency).first()
    versions = (
        PolicyVersion.objects.filter(agency=agency)
        .select_related("published_by")
        .annotate(people=Count("acknowledgements__user", distinct=True))
        .order_by("-number")
    )
    return {"policy": policy, "versions": list(versions)}


def version_for_admin(*, agency, number) -> PolicyVersion | None:
    return PolicyVersion.objects.filter(agency=agency, number=number).first()


def localised(version: PolicyVersion) -> tuple[str, str]:
    """(html, language) of the version in the reader's language, English when it has no
    text in theirs."""
    if (get_language() or "en").startswith("fr") and version.html_fr:
        return version.html_fr, "fr"
    return version.html_en, "en"


def learner_policy(user, *, now=None) -> dict:
    """What the signed-in person must do about their agency's policy: the current version,
    their latest acknowledgement of it, and the open request (None when theirs stands)."""
    now = now or timezone.now()
    actor = actor_for(user)
    version = current_version(actor.agency_id)
    if version is None:
        return {"version": None}
    latest = (
        Acknowledgement.objects.filter(user=user, version=version)
        .order_by("-acknowledged_at")
        .first()
    )
    joined_at = Membership.objects.filter(user=user).values_list("joined_at", flat=True).first()
    request = open_request(
        yearly=version.policy.yearly,
        due_days=version.policy.due_days,
        published_at=version.published_at,
        joined_at=joined_at,
        last_ack_at=latest.acknowledged_at if latest else None,
        now=now,
    )
    return {"version": version, "acknowledgement": latest, "open_request": request}


@prepared(agency_id=int, user_id=int)
def _current_version_for(agency_id, user_id):
    """The agency's current version (title, number, publication, the policy's terms) with the
    person's latest acknowledgement of it and their joining date, by subqueries."""
    return (
        PolicyVersion.objects.filter(agency_id=agency_id)
        .annotate(
            last_ack_at=Subquery(
                Acknowledgement.objects.filter(user_id=user_id, version=OuterRef("pk"))
                .order_by("-acknowledged_at")
                .values("acknowledged_at")[:1]
            ),
            member_joined_at=Subquery(
                Membership.objects.filter(user_id=user_id).order_by("pk").values("joined_at")[:1]
            ),
        )
        .order_by("-number")
        .values(
            "title",
            "number",
            "published_at",
            "policy__yearly",
            "policy__due_days",
            "last_ack_at",
            "member_joined_at",
        )[:1]
    )


def my_learning_section(user, *, now=None) -> dict:
    """My learning's section: what `learner_policy` says, in one query compiled once per
    process (none without an agency), as plain values: `version` carries the `title` and
    `number` of the current version, `acknowledgement` only `acknowledged_at` (the person's
    latest acknowledgement of it), all the section shows; `open_request` as `learner_policy`."""
    now = now or timezone.now()
    actor = actor_for(user)
    if actor.agency_id is None:
        return {"version": None}
    rows = _current_version_for(agency_id=actor.agency_id, user_id=user.pk)
    if not rows:
        return {"version": None}
    (row,) = rows
    last_ack_at = row["last_ack_at"]
    request = open_request(
        yearly=row["policy__yearly"],
        due_days=row["policy__due_days"],
        published_at=row["published_at"],
        joined_at=row["member_joined_at"],
        last_ack_at=last_ack_at,
        now=now,
    )
    acknowledgement = SimpleNamespace(acknowledged_at=last_ack_at) if last_ack_at else None
    return {
        "version": SimpleNamespace(title=row["title"], number=row["number"]),
        "acknowledgement": acknowledgement,
        "open_request": request,
    }


def _members_with_acknowledgement(version, actor, now):
    """Active members of the version's agency that the actor sees, each with `last_ack`,
    their latest acknowledgement of the version (one query, a subquery per row)."""
    last_ack = (
        Acknowledgement.objects.filter(version=version, user=OuterRef("user_id"))
        .values("user")
        .annotate(at=Max("acknowledged_at"))
        .values("at")
    )
    return (
        Membership.objects.filter(agency_id=version.agency_id, is_active=True)
        .filter(actor.rows_q(agency_field="agency", unit_path_field="unit__path"))
        .annotate(last_ack=Subquery(last_ack))
        .annotate(
            acknowledged=Case(
                When(_done_q(version, now), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
    )


def _done_q(version, now) -> Q:
    since = acknowledged_since(yearly=version.policy.yearly, now=now)
    q = Q(last_ack__isnull=False)
    return q & Q(last_ack__gte=since) if since else q


STATUSES = ("acknowledged", "pending")


def acknowledgement_status(user, *, status: str = "", now=None) -> dict:
    """Managers' view of the current version: who in their scope has acknowledged it and who
    has not. Three queries (version, counts, rows) whatever the number of people."""
    now = now or timezone.now()
    actor = actor_for(user)
    version = current_version(actor.agency_id)
    if version is None or not actor.manages_people:
        return {"version": None}
    members = _members_with_acknowledgement(version, actor, now)
    counts = members.aggregate(total=Count("pk"), done=Count("pk", filter=Q(acknowledged=True)))
    rows = members.select_related("user", "unit").order_by("user__full_name", "user__email")
    if status in STATUSES:
        rows = rows.filter(acknowledged=status == "acknowledged")
    return {
        "version": version,
        "total": counts["total"],
        "done": counts["done"],
        "pending": counts["total"] - counts["done"],
        "rows": rows,
    }


def status_rows(user, *, status: str = "", now=None):
    """(version, rows) for the CSV: name, email, unit, acknowledged or not, when."""
    now = now or timezone.now()
    data = acknowledgement_status(user, status=status, now=now)
    if data["version"] is None:
        return None, []
    rows = (
        (
            m.user.full_name,
            m.user.email,
            m.unit.name if m.unit else "",
            f"v{data['version'].number}",
            _("yes") if m.acknowledged else _("no"),
            m.last_ack.isoformat() if m.last_ack else "",
        )
        for m in data["rows"].iterator(chunk_size=2000)
    )
    return data["version"], rows
