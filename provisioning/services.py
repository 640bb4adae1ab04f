"""Changes made by provisioning: an agency's SCIM tokens, and the people its identity provider
creates, changes and removes.

A SCIM request acts with the rights of the agency admin who created its token (`token_actor`):
the membership changes go through agencies.services under that admin's name, so they are
audited and checked like the same change made on the site. A token whose creator is no longer an
active admin of the agency stops working.

People themselves (`User`, with allauth's verified `EmailAddress`) are created and changed by
`accounts.services` (`user_provision`, `user_identity_update`), the one writer of those tables.
They get their membership through `agencies.services.membership_create` and their
(de)activation and unit through `membership_set_active` and `membership_update`, so the member
counts, the reminders (which skip inactive people) and the sessions (an inactive user
is signed out on their next request) follow as they do for a change made on the site.
"""

import datetime
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import BooleanField, Case, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from scim2_models import InvalidValueException, UniquenessException

from accounts.services import UserEmailTaken, user_identity_update, user_provision
from agencies.access import actor_for
from agencies.audit import audit_record, audited, diff
from agencies.domains import domain_is_approved_for
from agencies.models import AuditEvent, Membership, Role, Unit
from agencies.services import membership_create, membership_set_active, membership_update

from .models import ScimPerson, ScimToken

TOKEN_PREFIX = "acs_"
# last_used_at is written at most this often per token, so a sync of 10,000 requests is not
# 10,000 extra writes.
LAST_USED_PRECISION = datetime.timedelta(minutes=1)


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def token_create(*, actor, agency, name: str, ip=None) -> tuple[ScimToken, str]:
    """Create a bearer token for `agency`'s identity provider. Returns the row and the token,
    which is never stored and cannot be shown again. Only the agency's admins may."""
    name = name.strip()
    with audited(
        actor=actor,
        agency=agency,
        action="scim.token_create",
        target=name,
        ip=ip,
        changes=diff({}, {"name": name}),
    ):
        if not actor_for(actor).administers_agency(agency.pk):
            raise ValidationError(_("Only the agency's admins can create provisioning tokens."))
        if not name:
            raise ValidationError(_("Give the token a name."))
        raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = ScimToken.objects.create(
            agency=agency,
            name=name,
            prefix=raw[: len(TOKEN_PREFIX) + 4],
            token_hash=token_hash(raw),
            created_by=actor,
        )
    return token, raw


def token_revoke(*, actor, token: ScimToken, ip=None) -> ScimToken:
    """Revoke a token: the next request that carries it is refused (401)."""
    with audited(
        actor=actor,
        agency=token.agency,
        action="scim.token_revoke",
        target=token.name,
        ip=ip,
        changes={"revoked": [False, True]},
    ):
        if not actor_for(actor).administers_agency(token.agency_id):
            raise ValidationError(_("Only the agency's admins can revoke provisioning tokens."))
        locked = ScimToken.objects.select_for_update().get(pk=token.pk)
        if locked.revoked_at is not None:
            raise ValidationError(_("This token was already revoked."))
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def token_authenticate(raw: str) -> ScimToken | None:
    """The live token that `raw` is, with its agency and creator loaded, or None: unknown,
    revoked, its agency closed, or its creator no longer an active admin of the agency.
    Records when it was last used (at most once a minute)."""
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    digest = token_hash(raw)
    token = (
        ScimToken.objects.select_related("agency", "created_by")
        .filter(token_hash=digest, revoked_at__isnull=True, agency__is_active=True)
        .first()
    )
    # The lookup is by an index on the hash; the comparison of the hashes is constant-time.
    if token is None or not hmac.compare_digest(token.token_hash, digest):
        return None
    creator = token.created_by
    if creator is None or not creator.is_active:
        return None
    if not actor_for(creator).administers_agency(token.agency_id):
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        ScimToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


@dataclass(frozen=True)
class PersonData:
    """What a SCIM User carries that Academy keeps. `department` None: not sent (the unit is
    left as it is)."""

    email: str
    full_name: str = ""
    given_name: str = ""
    family_name: str = ""
    external_id: str = ""
    active: bool = True
    department: str | None = None


def unit_for_department(*, agency, department: str) -> Unit | None:
    """The agency's unit whose code is `department` (ignoring case; codes are unique in an
    agency); failing that, the unit whose name it is (ignoring case), when exactly one is.
    One query."""
    department = department.strip()
    if not department:
        return None
    units = list(
        Unit.objects.filter(agency=agency)
        .filter(Q(code__iexact=department) | Q(name__iexact=department))
        .annotate(
            by_code=Case(
                When(code__iexact=department, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .order_by("-by_code", "pk")[:3]
    )
    if units and units[0].by_code:
        return units[0]
    return units[0] if len(units) == 1 else None


def _check_email(agency, email: str) -> str:
    email = email.strip().lower()
    if "@" not in email:
        raise InvalidValueException(detail=_("userName must be an email address."))
    if not domain_is_approved_for(agency, email):
        raise InvalidValueException(
            detail=_("userName must be an address on one of the agency's approved domains.")
        )
    return email


def _person_row(membership) -> ScimPerson:
    person, _created = ScimPerson.objects.select_for_update().get_or_create(
        membership=membership, defaults={"agency_id": membership.agency_id}
    )
    return person


def _run(call):
    """Run an agencies service; its refusal becomes a SCIM invalidValue error."""
    try:
        return call()
    except ValidationError as error:
        raise InvalidValueException(detail=" ".join(error.messages)) from error


def _apply(*, token, membership, person: ScimPerson, data: PersonData, ip) -> Membership:
    """Bring the membership, user and SCIM row in step with `data` (inside a transaction)."""
    actor = token.created_by
    email = _check_email(token.agency, data.email)
    try:
        # An empty name is "not sent": the name stays as it is.
        user_identity_update(user=membership.user, email=email, full_name=data.full_name or None)
    except UserEmailTaken as error:
        raise UniquenessException(detail=_("Another person already has this userName.")) from error
    if data.department is not None:
        department = data.department.strip()
        current = membership.unit
        if current is not None and current.code and department.lower() == current.code.lower():
            unit = current  # the unit's code sent back as it was read: no change, no query
        elif department:
            unit = unit_for_department(agency=token.agency, department=department)
            if unit is None and current is not None and department.lower() == current.name.lower():
                # The name of a unit without a code, sent back as it was read, that other
                # units share: the person stays where they are.
                unit = current
        else:
            unit = None
        person.department = department[:200]
        person.unit_matched = unit is not None or not department
        if unit != membership.unit:
            _run(
                lambda: membership_update(
                    actor=actor, membership=membership, role=membership.role, unit=unit, ip=ip
                )
            )
    person.external_id = (data.external_id or "")[:255]
    person.given_name, person.family_name = data.given_name[:150], data.family_name[:150]
    person.save()
    if bool(data.active) != membership.is_active:
        _run(
            lambda: membership_set_active(
                actor=actor, membership=membership, active=bool(data.active), ip=ip
            )
        )
    return membership


def scim_user_create(*, token: ScimToken, data: PersonData, ip=None) -> tuple[Membership, bool]:
    """Create a person in the token's agency, or bring back one who was deleted or
    deactivated (same userName). Returns (membership, created). A userName taken by an active
    person, or by someone of another agency, is refused (uniqueness)."""
    agency = token.agency
    with transaction.atomic():
        email = _check_email(agency, data.email)
        try:
            user, _new_user = user_provision(email=email, full_name=data.full_name)
        except UserEmailTaken as error:
            raise UniquenessException(
                detail=_("Another person already has this userName.")
            ) from error
        created = False
        membership = Membership.objects.filter(user=user).select_related("user", "unit").first()
        if membership is None:
            membership = membership_create(user=user, agency=agency, role=Role.LEARNER)
            membership = Membership.objects.select_related("user", "unit").get(pk=membership.pk)
            created = True
        elif membership.agency_id != agency.pk:
            raise UniquenessException(detail=_("Another person already has this userName."))
        person = _person_row(membership)
        if not created:
            if person.deleted_at is None and membership.is_active:
                raise UniquenessException(detail=_("Another person already has this userName."))
            person.deleted_at = None  # brought back: a deleted person is provisioned again
        _apply(token=token, membership=membership, person=person, data=data, ip=ip)
        audit_record(
            actor=token.created_by,
            agency=agency,
            action="scim.user_create",
            target=email,
            ip=ip,
            outcome=AuditEvent.Outcome.SUCCESS,
            detail={"token": token.name, "reactivated": not created},
            changes=diff({}, {"email": email, "active": bool(data.active)}),
        )
    return membership, created


def scim_user_replace(*, token: ScimToken, membership: Membership, data: PersonData, ip=None):
    """Replace what SCIM manages of a person (PUT, and PATCH once applied)."""
    with transaction.atomic():
        person = _person_row(membership)
        return _apply(token=token, membership=membership, person=person, data=data, ip=ip)


def scim_user_delete(*, token: ScimToken, membership: Membership, ip=None) -> None:
    """DELETE: the person leaves SCIM (404 from now on, in no list) and is deactivated in
    Academy, which keeps their records."""
    with transaction.atomic():
        person = _person_row(membership)
        if membership.is_active:
            _run(
                lambda: membership_set_active(
                    actor=token.created_by, membership=membership, active=False, ip=ip
                )
            )
        person.deleted_at = timezone.now()
        person.save(update_fields=["deleted_at", "updated_at"])
        audit_record(
            actor=token.created_by,
            agency=token.agency,
            action="scim.user_delete",
            target=membership.user.email,
            ip=ip,
            outcome=AuditEvent.Outcome.SUCCESS,
            detail={"token": token.name},
        )


def scim_group_set_members(
    *, token: ScimToken, unit: Unit, before: set[int], after: set[int], ip=None
) -> None:
    """Groups are units: people added to the group move into the unit (out of the one they
    were in: a person has one unit); people removed from it who are still there move to no
    unit. `before`/`after` are user ids. Ids that are not live members of the agency are
    refused (invalidValue), so nothing is half-written."""
    added, removed = after - before, before - after
    with transaction.atomic():
        members = {
            m.user_id: m
            for m in Membership.objects.filter(
                agency=token.agency, user_id__in=added | removed
            ).select_related("user", "unit", "scim_person")
        }
        for user_id in added | removed:
            m = members.get(user_id)
            person = getattr(m, "scim_person", None) if m is not None else None
            if m is None or (person is not None and person.deleted_at is not None):
                raise InvalidValueException(detail=_("No such user: %(id)s") % {"id": user_id})
        for user_id in sorted(added):
            m = members[user_id]
            if m.unit_id != unit.pk:
                _run(
                    lambda m=m: membership_update(
                        actor=token.created_by, membership=m, role=m.role, unit=unit, ip=ip
                    )
                )
        for user_id in sorted(removed):
            m = members[user_id]
            if m.unit_id == unit.pk:
                _run(
                    lambda m=m: membership_update(
                        actor=token.created_by, membership=m, role=m.role, unit=None, ip=ip
                    )
                )
