"""Changes made by agency sign-in: the agency's identity providers (configured by its admins),
and the people a provider asserts (who is who).

Who is who, for an assertion that `provider` (of agency A) made about `subject` with `email`:
1. `email` must be on one of A's approved domains; anything else is refused and audited.
2. The person this provider already knows as `subject` signs in (their email follows the
   provider's, if it changed and is free).
3. Otherwise the account with that email: a member of A (active) is linked to the subject, the
   provider's assertion for A's approved domain being the proof; a member of another agency, or
   a deactivated member, is refused.
4. Otherwise a new account is created in A, with a verified email (the agency vouches for it),
   in the unit the unit-code attribute names (else the provider's default unit, and the code is
   listed for the admin), with the role the group claims map to (else learner).
Every sign-in, refusal, creation and link is in the audit log.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.services import UserEmailTaken, user_identity_update, user_provision
from agencies.access import actor_for
from agencies.audit import audit_record, audited, diff
from agencies.domains import domain_is_approved_for
from agencies.models import AuditEvent, Membership, Role, Unit
from agencies.services import membership_create

from . import oidc, saml
from .models import IdentityProvider, SsoIdentity

ROLE_RANK = [Role.LEARNER, Role.TRAINER, Role.MANAGER, Role.AGENCY_ADMIN]
PROVIDER_FIELDS = [
    "name",
    "enabled",
    "sso_only",
    "default_unit",
    "email_attribute",
    "given_name_attribute",
    "family_name_attribute",
    "unit_attribute",
    "groups_attribute",
    "group_roles",
    "issuer",
    "client_id",
    "client_auth",
    "scopes",
    "acr_values",
    "metadata_url",
    "metadata_xml",
    "entity_id",
]


class SignInRefused(Exception):
    """The assertion is genuine but may not sign anyone in; `message` is for the person."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass(frozen=True)
class Asserted:
    """What a provider asserted about a person, read with the provider's attribute names."""

    subject: str
    email: str
    given_name: str = ""
    family_name: str = ""
    unit_code: str = ""
    groups: tuple[str, ...] = field(default_factory=tuple)

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.given_name, self.family_name) if part).strip()


def _first(value) -> str:
    if isinstance(value, list | tuple):
        value = value[0] if value else ""
    return str(value or "").strip()


def asserted_from_claims(provider: IdentityProvider, subject: str, claims: dict) -> Asserted:
    """Read an assertion's claims (OIDC) or attributes (SAML) by the provider's mapping."""
    groups = claims.get(provider.groups_attribute) if provider.groups_attribute else None
    if isinstance(groups, str):
        groups = [groups]
    return Asserted(
        subject=subject,
        email=_first(claims.get(provider.email_attribute)).lower(),
        given_name=_first(claims.get(provider.given_name_attribute))[:150],
        family_name=_first(claims.get(provider.family_name_attribute))[:150],
        unit_code=_first(claims.get(provider.unit_attribute))[:200]
        if provider.unit_attribute
        else "",
        groups=tuple(str(g) for g in (groups or [])),
    )


def _role_for(provider: IdentityProvider, groups) -> str:
    mapped = [provider.group_roles.get(group) for group in groups]
    roles = [role for role in mapped if role in ROLE_RANK]
    return max(roles, key=ROLE_RANK.index) if roles else Role.LEARNER


def _unit_for(provider: IdentityProvider, code: str):
    """(unit, matched): the agency's unit whose code is `code` (ignoring case), else the
    provider's default unit; matched is False when a code was sent that names no unit."""
    unit = (
        Unit.objects.filter(agency_id=provider.agency_id, code__iexact=code).first()
        if code
        else None
    )
    if unit is not None:
        return unit, True
    return provider.default_unit, not code


def audit_refusal(provider: IdentityProvider, *, target: str, reason: str, message: str, ip=None):
    """Record a refused sign-in (a protocol failure, or a person who may not sign in)."""
    audit_record(
        actor=None,
        agency=provider.agency,
        action="sso.refused",
        target=target,
        ip=ip,
        outcome=AuditEvent.Outcome.REJECTED,
        detail={"provider": provider.name, "reason": reason, "errors": [message]},
    )


def refuse(provider: IdentityProvider, *, target: str, reason: str, message: str, ip=None):
    """Audit a refused sign-in and raise SignInRefused."""
    audit_refusal(provider, target=target, reason=reason, message=message, ip=ip)
    raise SignInRefused(reason, message)


def sign_in_asserted(provider: IdentityProvider, asserted: Asserted, *, ip=None):
    """The person `asserted` is, created or linked as the module's docstring says; raises
    SignInRefused (audited) when they may not sign in."""
    target = asserted.email or asserted.subject
    if not asserted.subject:
        refuse(
            provider,
            target=target,
            reason="no_subject",
            ip=ip,
            message=_("Your agency's sign-in did not say who you are."),
        )
    if "@" not in asserted.email:
        refuse(
            provider,
            target=target,
            reason="no_email",
            ip=ip,
            message=_("Your agency's sign-in did not give an email address."),
        )
    if not domain_is_approved_for(provider.agency, asserted.email):
        refuse(
            provider,
            target=target,
            reason="domain_not_approved",
            ip=ip,
            message=_(
                "%(email)s is not on one of %(agency)s's email domains, so it cannot "
                "sign in here through the agency."
            )
            % {"email": asserted.email, "agency": provider.agency.name},
        )
    try:
        with transaction.atomic():
            user, action = _person_for(provider, asserted, ip=ip)
    except SignInRefused as refused:
        refuse(provider, target=target, reason=refused.reason, message=refused.message, ip=ip)
    audit_record(
        actor=user,
        agency=provider.agency,
        action="sso.sign_in",
        target=target,
        ip=ip,
        outcome=AuditEvent.Outcome.SUCCESS,
        detail={"provider": provider.name, "how": action},
    )
    return user


def _person_for(provider, asserted: Asserted, *, ip):
    """(user, how) inside a transaction: how is "known", "linked" or "created"."""
    now = timezone.now()
    identity = (
        SsoIdentity.objects.select_for_update()
        .select_related("user")
        .filter(provider=provider, subject=asserted.subject)
        .first()
    )
    if identity is not None:
        user = identity.user
        _require_active_member(provider, user)
        try:
            user_identity_update(
                user=user, email=asserted.email, full_name=asserted.full_name or None
            )
        except UserEmailTaken:
            pass  # the provider's new address belongs to someone else: keep the old one
        identity.last_sign_in_at = now
        identity.save(update_fields=["last_sign_in_at"])
        return user, "known"
    try:
        user, created = user_provision(email=asserted.email, full_name=asserted.full_name)
    except UserEmailTaken as error:
        raise SignInRefused("race", _("Please try signing in again.")) from error
    unit, matched = _unit_for(provider, asserted.unit_code)
    if created:
        membership_create(
            user=user, agency=provider.agency, unit=unit, role=_role_for(provider, asserted.groups)
        )
        how = "created"
    else:
        _require_active_member(provider, user)
        how = "linked"
    SsoIdentity.objects.create(
        provider=provider,
        subject=asserted.subject,
        user=user,
        unit_code=asserted.unit_code,
        unit_matched=matched,
        last_sign_in_at=now,
    )
    audit_record(
        actor=user,
        agency=provider.agency,
        action="sso.user_create" if created else "sso.link",
        target=asserted.email,
        ip=ip,
        outcome=AuditEvent.Outcome.SUCCESS,
        detail={
            "provider": provider.name,
            "subject": asserted.subject,
            "unit_code": asserted.unit_code,
            "unit_matched": matched,
        },
    )
    return user, how


def _require_active_member(provider, user):
    membership = Membership.objects.filter(user=user).only("agency_id", "is_active").first()
    if membership is None or membership.agency_id != provider.agency_id:
        raise SignInRefused(
            "other_agency",
            _(
                "This address has an Academy account that does not belong to %(agency)s. Ask "
                "your agency's Academy administrator for help."
            )
            % {"agency": provider.agency.name},
        )
    if not membership.is_active or not user.is_active:
        raise SignInRefused(
            "deactivated",
            _(
                "Your Academy account has been deactivated. Ask your agency's Academy "
                "administrator for help."
            ),
        )


# The agency admin's configuration of providers.


def _require_admin(actor, agency):
    if not actor_for(actor).administers_agency(agency.pk):
        raise ValidationError(_("Only the agency's admins can change its sign-in."))


def _check(provider: IdentityProvider):
    if provider.kind == IdentityProvider.Kind.OIDC:
        if not provider.issuer or not provider.client_id:
            raise ValidationError(_("Give the provider's issuer and Academy's client id there."))
        if "openid" not in provider.scopes.split():
            raise ValidationError(_("The scopes must include openid."))
        secret_auth = provider.client_auth != IdentityProvider.ClientAuth.PRIVATE_KEY_JWT
        if secret_auth and not provider.client_secret:
            raise ValidationError(_("Give the client secret, or choose a signed key."))
    elif not (provider.metadata_xml or provider.metadata_url):
        raise ValidationError(_("Give the identity provider's metadata, by URL or as a file."))
    if provider.default_unit_id and provider.default_unit.agency_id != provider.agency_id:
        raise ValidationError(_("Choose a unit of this agency."))
    bad = [role for role in provider.group_roles.values() if role not in ROLE_RANK]
    if bad:
        raise ValidationError(_("Unknown role: %(role)s.") % {"role": bad[0]})


def provider_save(
    *,
    actor,
    agency,
    provider: IdentityProvider | None,
    values: dict,
    client_secret: str | None = None,
    ip=None,
) -> IdentityProvider:
    """Create (provider None) or change one of `agency`'s providers from `values` (fields of
    PROVIDER_FIELDS, plus `kind` on creation). A new OIDC or SAML provider gets Academy's key pair;
    `client_secret` None keeps the stored one. The discovery document is fetched again."""
    creating = provider is None
    before = {} if creating else {name: getattr(provider, name) for name in PROVIDER_FIELDS}
    if creating:
        provider = IdentityProvider(agency=agency, kind=values.get("kind"))
    for name in PROVIDER_FIELDS:
        if name in values:
            setattr(provider, name, values[name])
    after = {name: getattr(provider, name) for name in PROVIDER_FIELDS}
    for hidden in ("metadata_xml", "group_roles"):
        before.pop(hidden, None), after.pop(hidden, None)
    with audited(
        actor=actor,
        agency=agency,
        action="sso.provider_create" if creating else "sso.provider_update",
        target=provider.name,
        ip=ip,
        changes=diff(before, after),
    ):
        _require_admin(actor, agency)
        if client_secret:
            provider.client_secret = client_secret
        if provider.kind == IdentityProvider.Kind.OIDC and not provider.signing_key:
            provider.signing_key = oidc.new_signing_key()
        if provider.kind == IdentityProvider.Kind.SAML and not provider.sp_key_pair:
            provider.sp_key_pair = saml.new_key_pair(f"Academy SAML {provider.public_id}")
        _check(provider)
        if provider.kind == IdentityProvider.Kind.SAML:
            saml.provider_prepare(provider)
        if provider.kind == IdentityProvider.Kind.OIDC and provider.enabled:
            provider.discovery = discovery_fetch(provider)
            provider.discovery_fetched_at = timezone.now()
        provider.save()
    return provider


def discovery_fetch(provider: IdentityProvider) -> dict:
    try:
        return oidc.fetch_discovery(provider.issuer)
    except oidc.OidcError as error:
        raise ValidationError(
            _("The provider's discovery document could not be used: %(error)s") % {"error": error}
        ) from error


def provider_delete(*, actor, provider: IdentityProvider, ip=None) -> None:
    with audited(
        actor=actor,
        agency=provider.agency,
        action="sso.provider_delete",
        target=provider.name,
        ip=ip,
    ):
        _require_admin(actor, provider.agency)
        provider.delete()


DISCOVERY_MAX_AGE = 24 * 3600


def provider_discovery(provider: IdentityProvider) -> dict:
    """The provider's discovery document, read again once a day (or when never read)."""
    fetched = provider.discovery_fetched_at
    if (
        provider.discovery
        and fetched
        and (timezone.now() - fetched).total_seconds() < DISCOVERY_MAX_AGE
    ):
        return provider.discovery
    document = oidc.fetch_discovery(provider.issuer)
    IdentityProvider.objects.filter(pk=provider.pk).update(
        discovery=document, discovery_fetched_at=timezone.now()
    )
    provider.discovery = document
    return document
