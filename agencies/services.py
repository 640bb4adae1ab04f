"""Changes to agencies and units (memberships: agencies.memberships, re-exported here).
Each one is audited, success or not."""

import re

from django.core.exceptions import ValidationError
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from academy.events import publish

from .access import actor_cache_expire_all, actor_for
from .audit import audit_record, audited, diff  # noqa: F401 (audit_record: for other apps)
from .domains import (  # noqa: F401 (agency_for_email: for sign-up, with the others)
    agency_for_email,
    check_domains_claimable,
    domain_approve,
    domain_reject,
    new_domain_rows,
)
from .events import UnitMoved
from .invitations import (  # noqa: F401 (the invitation services, with the others)
    invitation_create,
    invitation_resend,
    invitation_revoke,
    invitation_usable_for,
    usable_invitation_q,
)
from .memberships import (  # noqa: F401 (the membership services, with the others)
    membership_create,
    membership_join_on_signup,
    membership_set_active,
    membership_update,
)
from .models import Agency, AgencyDomain, Unit

DOMAIN_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9](-?[a-z0-9])*\.)+[a-z]{2,}$")


def _require(condition, message):
    if not condition:
        raise ValidationError(message)


def normalize_domains(domains):
    cleaned = []
    for raw in domains:
        domain = raw.strip().lower().lstrip("@")
        if not domain:
            continue
        if not DOMAIN_RE.match(domain):
            raise ValidationError(_("“%(domain)s” is not a valid email domain.") % {"domain": raw})
        cleaned.append(domain)
    return sorted(set(cleaned))


def agency_create(
    *,
    actor,
    name,
    acronym,
    slug,
    domains,
    time_zone="UTC",
    default_language="en",
    mfa_required=False,
    ip=None,
) -> Agency:
    """Create an agency with its email domains. Only platform admins may."""
    domains = [str(d) for d in domains]
    with audited(
        actor=actor,
        agency=None,
        action="agency.create",
        target=name,
        ip=ip,
        detail={"slug": slug, "domains": domains},
        changes=diff(
            {},
            {
                "name": name,
                "acronym": acronym,
                "slug": slug,
                "domains": domains,
                "time_zone": time_zone,
                "default_language": default_language,
                "mfa_required": bool(mfa_required),
            },
        ),
    ) as entry:
        # Validated inside the audited block so a refused domain is audited too.
        domains = normalize_domains(domains)
        _require(actor_for(actor).is_platform_admin, _("Only platform admins can create agencies."))
        _require(domains, _("Give at least one email domain."))
        _require(
            not Agency.objects.filter(slug=slug).exists(),
            _("An agency with this slug already exists."),
        )
        _require(
            not Agency.objects.filter(name__iexact=name).exists(),
            _("An agency with this name already exists."),
        )
        check_domains_claimable(domains, who=actor_for(actor))
        agency = Agency.objects.create(
            name=name,
            acronym=acronym,
            slug=slug,
            time_zone=time_zone,
            default_language=default_language,
            mfa_required=mfa_required,
        )
        # Only a platform admin gets this far: the domains are approved at once.
        AgencyDomain.objects.bulk_create(
            new_domain_rows(agency=agency, domains=domains, who=actor_for(actor), actor=actor)
        )
        entry.changes["domains"] = [None, domains]
    return agency


def agency_update_settings(
    *, actor, agency, name, acronym, domains, time_zone, default_language, mfa_required, ip=None
) -> Agency:
    """Agency admins (or platform admins) change their agency's settings."""
    domains = [str(d) for d in domains]
    with audited(
        actor=actor,
        agency=agency,
        action="agency.update",
        target=agency.name,
        ip=ip,
        detail={"domains": domains, "mfa_required": mfa_required},
    ) as entry:
        domains = normalize_domains(domains)
        who = actor_for(actor)
        _require(
            who.administers_agency(agency.pk),
            _("Only the agency's admins can change its settings."),
        )
        _require(domains, _("Give at least one email domain."))
        _require(
            not Agency.objects.filter(name__iexact=name).exclude(pk=agency.pk).exists(),
            _("An agency with this name already exists."),
        )
        existing = dict(agency.domains.values_list("domain", "status"))
        added = [d for d in domains if d not in existing]
        check_domains_claimable(added, who=who, agency=agency)
        before = _agency_settings(agency, existing)
        agency.name, agency.acronym, agency.time_zone = name, acronym, time_zone
        agency.default_language, agency.mfa_required = default_language, mfa_required
        agency.save(
            update_fields=["name", "acronym", "time_zone", "default_language", "mfa_required"]
        )
        actor_cache_expire_all()
        if set(existing) - set(domains):
            agency.domains.exclude(domain__in=domains).delete()
        # An agency admin's new domains wait for a platform admin's approval (domains.py).
        rows = new_domain_rows(agency=agency, domains=added, who=who, actor=actor)
        AgencyDomain.objects.bulk_create(rows)
        after = {d: s for d, s in existing.items() if d in domains}
        after.update((row.domain, row.status) for row in rows)
        entry.changes = diff(before, _agency_settings(agency, after))
    return agency


def _agency_settings(agency, domains: dict) -> dict:
    """The agency's settings as the audit log records them (`domains`: {domain: status})."""
    return {
        "name": agency.name,
        "acronym": agency.acronym,
        "domains": sorted(d for d, s in domains.items() if s == AgencyDomain.Status.APPROVED),
        "pending_domains": sorted(
            d for d, s in domains.items() if s == AgencyDomain.Status.PENDING
        ),
        "time_zone": agency.time_zone,
        "default_language": agency.default_language,
        "mfa_required": bool(agency.mfa_required),
    }


def _can_manage_unit(who, unit):
    return who.manages_unit(unit)


def _require_code_free(agency_id, code, *, unit_id=None):
    """A unit code is the agency's own: another unit of the agency may not have it (ignoring
    case). The refusal names the `code` field, so a form shows it beside the input."""
    if not code:
        return
    taken = Unit.objects.filter(agency_id=agency_id, code__iexact=code)
    if unit_id is not None:
        taken = taken.exclude(pk=unit_id)
    if taken.exists():
        raise ValidationError({"code": _("Another unit of this agency already has this code.")})


def unit_create(*, actor, agency, name, parent=None, code: str = "", ip=None) -> Unit:
    """Add a unit, with an optional `code` unique in the agency (ignoring case). Managers may
    add units only below their own unit."""
    name, code = name.strip(), code.strip()
    after = {"name": name, "parent": parent.name if parent else None}
    if code:
        after["code"] = code
    with audited(
        actor=actor,
        agency=agency,
        action="unit.create",
        target=name,
        ip=ip,
        detail={"parent": parent.pk if parent else None},
        changes=diff({}, after),
    ):
        who = actor_for(actor)
        _require(name, _("Give the unit a name."))
        if parent is None:
            _require(
                who.administers_agency(agency.pk), _("Only agency admins can add top-level units.")
            )
        else:
            _require(
                parent.agency_id == agency.pk and _can_manage_unit(who, parent),
                _("You cannot add units there."),
            )
        _require(
            not Unit.objects.filter(agency=agency, parent=parent, name__iexact=name).exists(),
            _("A unit with this name already exists here."),
        )
        _require_code_free(agency.pk, code)
        unit = Unit.objects.create(agency=agency, parent=parent, name=name, code=code, path="")
        unit.path = f"{parent.path if parent else '/'}{unit.pk}/"
        unit.save(update_fields=["path"])
    return unit


def unit_update(*, actor, unit, name, parent, code: str | None = None, ip=None) -> Unit:
    """Rename a unit and/or move it under another parent (its subtree moves with it), and set
    its `code` (None: leave it; "": no code), which must stay unique in the agency."""
    name = name.strip()
    code = unit.code if code is None else code.strip()
    parent_id = parent.pk if parent else None
    before = {"name": unit.name}
    after = {"name": name}
    if code != unit.code:
        before["code"], after["code"] = unit.code, code
    if unit.parent_id != parent_id:
        old_parent = Unit.objects.filter(pk=unit.parent_id).values_list("name", flat=True).first()
        before["parent"], after["parent"] = old_parent, parent.name if parent else None
    with audited(
        actor=actor,
        agency=unit.agency,
        action="unit.update",
        target=unit.name,
        ip=ip,
        detail={"name": name, "parent": parent_id},
        changes=diff(before, after),
    ):
        who = actor_for(actor)
        _require(name, _("Give the unit a name."))
        _require(_can_manage_unit(who, unit), _("You cannot change this unit."))
        if unit.parent_id != (parent.pk if parent else None):
            # A manager may not lift their own unit, or move anything outside their subtree.
            _require(
                who.administers_agency(unit.agency_id) or unit.path != who.unit_path,
                _("You cannot move your own unit."),
            )
            if parent is None:
                _require(
                    who.administers_agency(unit.agency_id),
                    _("Only agency admins can make a unit top-level."),
                )
            else:
                _require(
                    parent.agency_id == unit.agency_id and _can_manage_unit(who, parent),
                    _("You cannot move the unit there."),
                )
                _require(
                    not parent.path.startswith(unit.path),
                    _("A unit cannot be moved inside itself."),
                )
        _require(
            not Unit.objects.filter(agency=unit.agency, parent=parent, name__iexact=name)
            .exclude(pk=unit.pk)
            .exists(),
            _("A unit with this name already exists here."),
        )
        if code != unit.code:
            _require_code_free(unit.agency_id, code, unit_id=unit.pk)
        old_path = unit.path
        new_path = f"{parent.path if parent else '/'}{unit.pk}/"
        unit.name, unit.parent, unit.code = name, parent, code
        unit.save(update_fields=["name", "parent", "code"])
        if new_path != old_path:
            Unit.objects.filter(agency=unit.agency, path__startswith=old_path).update(
                path=Concat(Value(new_path), Substr(F("path"), len(old_path) + 1))
            )
            unit.refresh_from_db(fields=["path"])
            actor_cache_expire_all()
            publish(
                UnitMoved(
                    agency_id=unit.agency_id, unit_id=unit.pk, old_path=old_path, new_path=new_path
                )
            )
    return unit
