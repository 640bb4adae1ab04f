"""Changes made by the API's own tables: an agency's API clients, created and revoked by its
admins (audited like provisioning's SCIM tokens).

A client's tokens act with the rights of the agency admin who created it (`client_for_token`):
writes go through the other apps' services under that admin's name, so they are audited and
checked like the same change made on the site. A client whose creator is no longer an active
admin of the agency, or whose agency is closed, stops working.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import AccessToken, Application

from accounts.services import UserEmailTaken, user_identity_update, user_provision
from agencies.access import actor_for
from agencies.audit import audited, diff
from agencies.domains import domain_is_approved_for
from agencies.models import Membership, Role
from agencies.services import membership_create, membership_set_active, membership_update

from .models import ApiClient, IdempotentRequest

_UNSET = object()
# last_used_at is written at most this often per client, so a sync of 10,000 requests is not
# 10,000 extra writes.
LAST_USED_PRECISION = datetime.timedelta(minutes=1)


def client_create(*, actor, agency, name: str, scopes: list[str], ip=None) -> tuple[ApiClient, str]:
    """Create an API client for `agency` with `scopes`. Returns the row and its secret, which
    django-oauth-toolkit stores hashed: it cannot be shown again. Only the agency's admins may."""
    name = name.strip()
    scopes = sorted(set(scopes))
    with audited(
        actor=actor,
        agency=agency,
        action="api.client_create",
        target=name,
        ip=ip,
        changes=diff({}, {"name": name, "scopes": " ".join(scopes)}),
    ):
        if not actor_for(actor).administers_agency(agency.pk):
            raise ValidationError(_("Only the agency's admins can create API clients."))
        if not name:
            raise ValidationError(_("Give the client a name."))
        if not scopes or any(scope not in settings.API_SCOPES for scope in scopes):
            raise ValidationError(_("Choose at least one scope."))
        secret = generate_client_secret()
        application = Application(
            name=f"{agency.slug}: {name}"[:255],
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
            client_secret=secret,
            hash_client_secret=True,
            skip_authorization=True,
        )
        application.save()
        client = ApiClient.objects.create(
            application=application,
            agency=agency,
            name=name,
            scopes=" ".join(scopes),
            created_by=actor,
        )
    return client, secret


def client_revoke(*, actor, client: ApiClient, ip=None) -> ApiClient:
    """Revoke a client: its tokens stop working at once and it can get no new one."""
    with audited(
        actor=actor,
        agency=client.agency,
        action="api.client_revoke",
        target=client.name,
        ip=ip,
        changes={"revoked": [False, True]},
    ):
        if not actor_for(actor).administers_agency(client.agency_id):
            raise ValidationError(_("Only the agency's admins can revoke API clients."))
        locked = ApiClient.objects.select_for_update().get(pk=client.pk)
        if locked.revoked_at is not None:
            raise ValidationError(_("This client was already revoked."))
        client.revoked_at = timezone.now()
        client.save(update_fields=["revoked_at"])
        # A new random secret, hashed, that nobody knows: the client cannot get a token.
        application = Application.objects.get(pk=client.application_id)
        application.client_secret = generate_client_secret()
        application.save(update_fields=["client_secret"])
        AccessToken.objects.filter(application_id=client.application_id).delete()
    return client


def client_for_token(token) -> ApiClient | None:
    """The live client an access token belongs to, with its agency and creator loaded, or
    None: revoked, its agency closed, or its creator no longer an active admin of the agency."""
    client = (
        ApiClient.objects.select_related("agency", "created_by")
        .filter(application_id=token.application_id, revoked_at__isnull=True)
        .first()
    )
    if client is None or not client.agency.is_active:
        return None
    creator = client.created_by
    if creator is None or not creator.is_active:
        return None
    if not actor_for(creator).administers_agency(client.agency_id):
        return None
    now = timezone.now()
    if client.last_used_at is None or now - client.last_used_at >= LAST_USED_PRECISION:
        ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
        client.last_used_at = now
    return client


def _refuse(field: str, error: ValidationError):
    """A service's refusal, placed on the API field it is about."""
    raise ValidationError({field: error.messages}) from error


def person_create(
    *,
    client: ApiClient,
    email: str,
    full_name: str = "",
    unit=None,
    role: str = Role.LEARNER,
    active: bool = True,
    ip=None,
) -> Membership:
    """Create a person in the client's agency, as the client's admin would invite and place
    them: the address must be on one of the agency's approved domains and belong to nobody in
    any agency. The user comes from accounts (`user_provision`, verified address, no password:
    they sign in through SSO or reset it), the membership from agencies (member counts and
    standing assignments follow), the role, unit and activity through agencies' audited
    services."""
    actor, agency = client.created_by, client.agency
    email = email.strip().lower()
    with audited(
        actor=actor,
        agency=agency,
        action="api.person_create",
        target=email,
        ip=ip,
        detail={"client": client.name},
        changes=diff({}, {"email": email, "role": str(role), "active": bool(active)}),
    ):
        if not domain_is_approved_for(agency, email):
            raise ValidationError(
                {"email": [_("Use an address on one of the agency's approved domains.")]}
            )
        try:
            user, _created = user_provision(email=email, full_name=full_name)
        except UserEmailTaken as error:
            _refuse("email", error)
        if Membership.objects.filter(user=user).exists():
            _refuse("email", UserEmailTaken())
        membership = membership_create(user=user, agency=agency, unit=unit, role=role)
        membership = Membership.objects.select_related("user", "unit", "agency").get(
            pk=membership.pk
        )
        if not active:
            membership_set_active(actor=actor, membership=membership, active=False, ip=ip)
    return membership


def person_update(
    *,
    client: ApiClient,
    membership: Membership,
    email: str | None = None,
    full_name: str | None = None,
    unit=_UNSET,
    role: str | None = None,
    active: bool | None = None,
    ip=None,
) -> Membership:
    """Change what is given of a person of the client's agency (None and unset: unchanged),
    through the same services as the site: accounts for the address and name, agencies for
    the role, unit and activity (each audited under the client's admin)."""
    actor = client.created_by
    with audited(
        actor=actor,
        agency=client.agency,
        action="api.person_update",
        target=membership.user.email,
        ip=ip,
        detail={"client": client.name},
    ) as entry:
        if email is not None and email.strip().lower() != membership.user.email:
            if not domain_is_approved_for(client.agency, email):
                raise ValidationError(
                    {"email": [_("Use an address on one of the agency's approved domains.")]}
                )
        try:
            changed = user_identity_update(user=membership.user, email=email, full_name=full_name)
        except UserEmailTaken as error:
            _refuse("email", error)
        entry.changes = {name: True for name in changed}
        new_role = role if role is not None else membership.role
        new_unit = membership.unit if unit is _UNSET else unit
        if new_role != membership.role or new_unit != membership.unit:
            membership_update(
                actor=actor, membership=membership, role=new_role, unit=new_unit, ip=ip
            )
        if active is not None and bool(active) != membership.is_active:
            membership_set_active(actor=actor, membership=membership, active=bool(active), ip=ip)
    return membership


def idempotent_response(*, client: ApiClient, key: str):
    """The stored request made with this key by this client, or None."""
    return IdempotentRequest.objects.filter(client=client, key=key).first()


def idempotent_store(*, client: ApiClient, key: str, fingerprint: str, status: int, body):
    """Keep the response a keyed request got (a concurrent twin that stored first wins)."""
    IdempotentRequest.objects.get_or_create(
        client=client,
        key=key,
        defaults={"fingerprint": fingerprint, "status": status, "body": body},
    )
