"""The AI policy on the managers' dashboard and in requested reports.

Both take reports' `DashboardScope` (read by duck typing: `agency`, `place_q()`; this app does
not import reports' scope class). The dashboard panel reads the acknowledgement cells
(policies.cells), never the acknowledgements themselves; the report streams one row per
person from the memberships. Registered from PoliciesConfig.ready in
`reports.registries.dashboard_panels` ("ai_policy") and `report_kinds` ("ai_policy").
"""

import datetime

from django.db.models import Max, OuterRef, Q, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from academy.spreadsheet import formula_safe
from agencies.models import Membership

from .models import Acknowledgement, AcknowledgementCell, AgencyPolicy, PolicyVersion
from .selectors import current_version
from .terms import RENEW_AFTER, acknowledged_since

CHUNK = 2000


def dashboard_panel(scope, *, now=None) -> dict | None:
    """The panel's figures for one agency (or unit subtree): the current version, how many
    active people in scope acknowledged it (within the last year for a yearly policy, to the
    day), how many have not, and for every version how many acknowledged it. None (nothing
    shown) across agencies or for an agency without a policy. Three queries, one when the
    agency has no policy, whatever the number of people."""
    if scope.agency is None:
        return None
    version = current_version(scope.agency.pk)
    if version is None:
        return None
    now = now or timezone.now()
    place = scope.place_q(unit_path="unit__path")
    members = Membership.objects.filter(place, is_active=True).count()
    since = acknowledged_since(yearly=version.policy.yearly, now=now)
    standing = Q(day__gte=since.date()) if since else Q()
    versions = list(
        AcknowledgementCell.objects.filter(place)
        .values("version_id", "version__number", "version__published_at")
        .annotate(people=Sum("n"), standing=Sum("n", filter=standing))
        .filter(people__gt=0)
        .order_by("-version__number")
    )
    done = next((v["standing"] or 0 for v in versions if v["version_id"] == version.pk), 0)
    return {
        "version": version,
        "members": members,
        "acknowledged": done,
        "pending": max(members - done, 0),
        "rate": round(100 * done / members) if members else None,
        "versions": versions,
    }


def _people(scope):
    """Active members in scope whose agency has a policy, each with the agency's current
    version, whether it is yearly, their latest acknowledgement of it and the latest version
    they acknowledged at all (one query, subqueries per row)."""
    current = PolicyVersion.objects.filter(agency_id=OuterRef("agency_id")).order_by("-number")
    last_ack = (
        Acknowledgement.objects.filter(user_id=OuterRef("user_id"), version_id=OuterRef("current"))
        .values("user_id")
        .annotate(at=Max("acknowledged_at"))
        .values("at")
    )
    latest_number = Acknowledgement.objects.filter(
        user_id=OuterRef("user_id"), agency_id=OuterRef("agency_id")
    ).order_by("-version__number")
    return (
        Membership.objects.filter(scope.place_q(unit_path="unit__path"), is_active=True)
        .annotate(
            current=Subquery(current.values("pk")[:1]),
            current_number=Subquery(current.values("number")[:1]),
            yearly=Subquery(
                AgencyPolicy.objects.filter(agency_id=OuterRef("agency_id")).values("yearly")[:1]
            ),
        )
        .filter(current__isnull=False)
        .annotate(
            last_ack=Subquery(last_ack),
            latest_number=Subquery(latest_number.values("version__number")[:1]),
        )
        .order_by("agency__name", "unit__name", "user__full_name", "user__email")
        .values_list(
            "agency__name",
            "unit__name",
            "user__full_name",
            "user__email",
            "current_number",
            "yearly",
            "last_ack",
            "latest_number",
        )
    )


def _stands(last_ack: datetime.datetime | None, *, yearly: bool, now) -> bool:
    return last_ack is not None and (not yearly or last_ack > now - RENEW_AFTER)


def report_rows(scope, *, now=None):
    """The "AI policy acknowledgements" report: a header, then one row per active person in
    scope whose agency has a policy (streamed)."""
    now = now or timezone.now()
    yield [
        _("Agency"),
        _("Unit"),
        _("Name"),
        _("Email"),
        _("Current version"),
        _("Acknowledged the current version"),
        _("Acknowledged on"),
        _("Latest version acknowledged"),
    ]
    for agency, unit, name, email, number, yearly, last_ack, latest in _people(scope).iterator(
        chunk_size=CHUNK
    ):
        yield [
            formula_safe(agency),
            formula_safe(unit),
            formula_safe(name),
            formula_safe(email),
            f"v{number}",
            _("yes") if _stands(last_ack, yearly=bool(yearly), now=now) else _("no"),
            last_ack.date().isoformat() if last_ack else "",
            f"v{latest}" if latest else "",
        ]
