"""Agencies' email domains: which agency an address belongs to, claims and their approval.

A domain counts (sign-up places people by it; the agency's admins and managers may invite
addresses on it) only once approved. Platform admins set approved domains directly (creating an
agency, or in its settings); a domain an agency admin adds waits, pending, until a platform admin
approves it on the "Email domains waiting for approval" page, so no agency can take another's
staff by claiming their domain. An agency admin's claim of a domain equal to, inside, or above
another agency's approved domain (b.gov itself, staff.b.gov, or b.gov while another agency has
staff.b.gov) is refused outright;
a platform admin may deliberately give a subdomain to another agency (a bureau with its own
Academy agency), never the same domain to two.
"""

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .access import actor_for
from .audit import audited
from .models import Agency, AgencyDomain

APPROVED = AgencyDomain.Status.APPROVED
PENDING = AgencyDomain.Status.PENDING


def _require(condition, message):
    if not condition:
        raise ValidationError(message)


def email_domain(email: str) -> str:
    return email.rsplit("@", 1)[-1].strip().lower()


def agency_for_email(email) -> Agency | None:
    """The active agency whose approved domains include the domain of `email`, or None."""
    match = (
        AgencyDomain.objects.filter(
            domain__iexact=email_domain(email), status=APPROVED, agency__is_active=True
        )
        .select_related("agency")
        .first()
    )
    return match.agency if match else None


def domain_is_approved_for(agency, email) -> bool:
    """Whether the domain of `email` is one of `agency`'s approved domains."""
    return AgencyDomain.objects.filter(
        agency=agency, domain__iexact=email_domain(email), status=APPROVED
    ).exists()


def _suffixes(domain):
    parts = domain.split(".")
    return [".".join(parts[i:]) for i in range(len(parts) - 1)]


def overlapping_domains(domains, *, agency=None) -> list[str]:
    """Other agencies' approved domains equal to, above, or inside any of `domains`."""
    if not domains:
        return []
    q = Q()
    for domain in domains:
        q |= Q(domain__in=_suffixes(domain)) | Q(domain__iendswith="." + domain)
    taken = AgencyDomain.objects.filter(q, status=APPROVED)
    if agency is not None:
        taken = taken.exclude(agency=agency)
    return sorted(set(taken.values_list("domain", flat=True)))


def taken_domains(domains, *, agency=None) -> list[str]:
    """Those of `domains` that another agency already has, approved."""
    taken = AgencyDomain.objects.filter(domain__in=domains, status=APPROVED)
    if agency is not None:
        taken = taken.exclude(agency=agency)
    return sorted(taken.values_list("domain", flat=True))


def check_domains_claimable(domains, *, who, agency=None) -> None:
    """Refuse domains another agency holds: the same domain for anyone; for an agency admin
    also a domain inside or above another agency's domain."""
    taken = taken_domains(domains, agency=agency)
    _require(
        not taken,
        _("These domains already belong to another agency: %(domains)s")
        % {"domains": ", ".join(taken)},
    )
    if not who.is_platform_admin:
        overlap = overlapping_domains(domains, agency=agency)
        _require(
            not overlap,
            _(
                "These domains are inside or above another agency's domains (%(domains)s). "
                "Ask a platform admin if your agency should have them."
            )
            % {"domains": ", ".join(overlap)},
        )


def new_domain_rows(*, agency, domains, who, actor):
    """Unsaved `AgencyDomain` rows for `domains`: approved when a platform admin adds them,
    pending (waiting for approval) when an agency admin does."""
    now = timezone.now()
    approved = who.is_platform_admin
    return [
        AgencyDomain(
            agency=agency,
            domain=d,
            status=APPROVED if approved else PENDING,
            requested_by=actor if actor is not None and actor.is_authenticated else None,
            requested_at=now,
            approved_at=now if approved else None,
        )
        for d in domains
    ]


def pending_domain_list(*, user):
    """Domains waiting for approval, oldest first, with their agency and who asked; platform
    admins only (an empty list for anyone else)."""
    if not actor_for(user).is_platform_admin:
        return AgencyDomain.objects.none()
    return (
        AgencyDomain.objects.filter(status=PENDING)
        .select_related("agency", "requested_by")
        .order_by("requested_at", "id")
    )


def _locked_pending(domain) -> AgencyDomain:
    locked = (
        AgencyDomain.objects.select_for_update(of=("self",))
        .select_related("agency")
        .filter(pk=domain.pk)
        .first()
    )
    _require(
        locked is not None and locked.status == PENDING,
        _("This domain is no longer waiting for approval."),
    )
    return locked


def domain_approve(*, actor, domain: AgencyDomain, ip=None) -> AgencyDomain:
    """A platform admin approves an agency's pending domain: from now on people with addresses
    on it join that agency at sign-up, and its admins and managers may invite them."""
    with audited(
        actor=actor,
        agency=domain.agency,
        action="agency.domain_approve",
        target=domain.domain,
        ip=ip,
        changes={"status": ["pending", "approved"]},
    ):
        _require(actor_for(actor).is_platform_admin, _("Only platform admins approve domains."))
        locked = _locked_pending(domain)
        taken = taken_domains([locked.domain], agency=locked.agency)
        _require(
            not taken,
            _("Another agency already has this domain: reject this request."),
        )
        locked.status, locked.approved_at = APPROVED, timezone.now()
        locked.save(update_fields=["status", "approved_at"])
    domain.status, domain.approved_at = locked.status, locked.approved_at
    return domain


def domain_reject(*, actor, domain: AgencyDomain, ip=None) -> None:
    """A platform admin turns down an agency's pending domain; the claim is removed."""
    with audited(
        actor=actor,
        agency=domain.agency,
        action="agency.domain_reject",
        target=domain.domain,
        ip=ip,
        changes={"status": ["pending", "rejected"]},
    ):
        _require(actor_for(actor).is_platform_admin, _("Only platform admins approve domains."))
        _locked_pending(domain).delete()
