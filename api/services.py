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
from learning.services import HistoryRow, completions_import, history_parse_csv
from reminders import services as reminders
from reports.access import dashboard_scope
from reports.services.runs import report_request

from .models import ApiClient, IdempotentRequest

_UNSET = object()
# last_used_at is written at most this often per client, so a sync of 10,000 requests is not
# 10,000 extra writes.
LAST_USED_PRECISION = datetime.timedelta(minutes=1)


# A platform client reads every agency; it changes nothing (its writes would have no agency).
PLATFORM_SCOPES = ("people:read", "learning:read", "reports:read")


def client_create(*, actor, agency, name: str, scopes: list[str], ip=None) -> tuple[ApiClient, str]:
    """Create an API client for `agency` with `scopes`. Returns the row and its secret, which
    django-oauth-toolkit stores hashed: it cannot be shown again. Only the agency's admins may.
    `agency` None makes a platform client (platform admins only; read scopes only), whose
    tokens see every agency as its platform admin does."""
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
        if agency is None:
            if not actor_for(actor).is_platform_admin:
                raise ValidationError(_("Only platform admins can create platform API clients."))
        elif not actor_for(actor).administers_agency(agency.pk):
            raise ValidationError(_("Only the agency's admins can create API clients."))
        if not name:
            raise ValidationError(_("Give the client a name."))
        allowed = PLATFORM_SCOPES if agency is None else settings.API_SCOPES
        if not scopes or any(scope not in allowed for scope in scopes):
            raise ValidationError(_("Choose at least one scope."))
        secret = generate_client_secret()
        application = Application(
            name=f"{agency.slug if agency else 'platform'}: {name}"[:255],
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
        who = actor_for(actor)
        if client.agency_id is None and not who.is_platform_admin:
            raise ValidationError(_("Only platform admins can revoke platform API clients."))
        if client.agency_id is not None and not who.administers_agency(client.agency_id):
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
    None: revoked, its agency closed, or its creator no longer an active admin of the agency
    (of the platform, for a platform client)."""
    client = (
        ApiClient.objects.select_related("agency", "created_by")
        .filter(application_id=token.application_id, revoked_at__isnull=True)
        .first()
    )
    return live_client(client)


def live_client(client: ApiClient | None) -> ApiClient | None:
    """`client` (with its agency and creator loaded) when its tokens may act: not revoked, its
    agency open, its creator an active admin of the agency (of the platform, for a platform
    client); None otherwise. Stamps `last_used_at` (at most once a LAST_USED_PRECISION)."""
    if client is None or client.revoked_at is not None:
        return None
    if client.agency is not None and not client.agency.is_active:
        return None
    creator = client.created_by
    if creator is None or not creator.is_active:
        return None
    who = actor_for(creator)
    if client.agency_id is None:
        if not who.is_platform_admin:
            return None
    elif not who.administers_agency(client.agency_id):
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


def idempotent_purge(*, now=None) -> int:
    """Forget keyed requests older than API_IDEMPOTENCY_KEY_HOURS (nightly); returns how many.
    A key is honoured at least that long, so a retry within it never acts twice."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(hours=settings.API_IDEMPOTENCY_KEY_HOURS)
    deleted, _by_model = IdempotentRequest.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def idempotent_store(*, client: ApiClient, key: str, fingerprint: str, status: int, body):
    """Keep the response a keyed request got (a concurrent twin that stored first wins)."""
    IdempotentRequest.objects.get_or_create(
        client=client,
        key=key,
        defaults={"fingerprint": fingerprint, "status": status, "body": body},
    )


def assignment_create(*, client: ApiClient, ip=None, **terms):
    """Assign a course or path to the client's agency, a unit or people, as the client's admin
    does on the site: reminders' `assignment_create`, with its checks (the same as the
    preview's: scope, availability, no due date before the agency's today, coherent dates and
    recurrence), its audit row and its background enrollment."""
    return reminders.assignment_create(actor=client.created_by, ip=ip, **terms)


def assignment_preview(*, client: ApiClient, **terms) -> dict:
    """What `assignment_create` would do with these terms, writing nothing (reminders'
    `assignment_preview`: refuses what it refuses)."""
    return reminders.assignment_preview(actor=client.created_by, **terms)


def assignment_remove(*, client: ApiClient, assignment, ip=None):
    """Remove an assignment (reminders' `assignment_remove`: its level rule, audit, reminders
    stopped; enrollments stay)."""
    return reminders.assignment_remove(actor=client.created_by, assignment=assignment, ip=ip)


def report_run_request(
    *,
    client: ApiClient,
    kind: str,
    format: str,
    unit=None,
    course=None,
    path=None,
    required_only: bool = False,
):
    """Queue a report of the client's agency (or a unit, a course, a path of it), checked as
    the site checks a dashboard's scope (`reports.access.dashboard_scope`: Http404 outside what
    the client's admin sees) and produced by reports' task (`report_request`)."""
    scope = dashboard_scope(
        client.created_by,
        agency_id=client.agency_id,
        unit_id=unit.pk if unit else None,
        course_id=course.pk if course else None,
        path_id=path.pk if path else None,
        required_only=required_only,
    )
    return report_request(actor=client.created_by, scope=scope, kind=kind, format=format)


def history_import(*, client: ApiClient, rows=None, csv: str | None = None, ip=None) -> dict:
    """Import past completions into the client's agency through learning's
    `completions_import` (the whole list checked first, nothing written on any refusal;
    audited under the client's admin). `rows` as dicts, or `csv` in the documented format."""
    if csv is not None:
        parsed = history_parse_csv(csv)
    else:
        parsed = [HistoryRow(line=index, **row) for index, row in enumerate(rows or [], start=1)]
    return completions_import(actor=client.created_by, agency=client.agency, rows=parsed, ip=ip)
