"""Reads for provisioning, always scoped to one agency (the token's, or the admin's)."""

from django.db.models import Count, Q

from agencies.models import Membership, Unit

from .models import ScimPerson, ScimToken

_NOT_DELETED = Q(scim_person__isnull=True) | Q(scim_person__deleted_at__isnull=True)


def scim_people(*, agency):
    """The agency's people as SCIM sees them: every membership except those deleted over SCIM,
    with user, unit and SCIM row loaded (one query per page), in a stable order (user id)."""
    return (
        Membership.objects.filter(_NOT_DELETED, agency=agency)
        .select_related("user", "unit", "scim_person")
        .order_by("user_id")
    )


def scim_person(*, agency, user_id) -> Membership | None:
    """One person of the agency by SCIM id (the user id), None if missing, deleted or of
    another agency (the caller answers 404 either way)."""
    return scim_people(agency=agency).filter(user_id=user_id).first()


def scim_units(*, agency):
    """The agency's units (SCIM Groups), in a stable order (id)."""
    return Unit.objects.filter(agency=agency).order_by("pk")


def scim_unit_members(*, unit) -> list[tuple[int, str]]:
    """(user id, email) of the people directly in `unit` that SCIM sees, in one query."""
    return list(
        Membership.objects.filter(_NOT_DELETED, unit=unit)
        .order_by("user_id")
        .values_list("user_id", "user__email")
    )


def token_list(*, agency):
    """The agency's tokens, newest first, with their creator."""
    return ScimToken.objects.filter(agency=agency).select_related("created_by")


def unmatched_departments(*, agency, limit=50) -> list[dict]:
    """Departments sent over SCIM that named no unit of the agency, with how many people
    have each (the most common first): for the admin to add or rename units."""
    return list(
        ScimPerson.objects.filter(agency=agency, unit_matched=False, deleted_at__isnull=True)
        .values("department")
        .annotate(people=Count("pk"))
        .order_by("-people", "department")[:limit]
    )


def external_ids(*, agency, user_ids) -> dict[int, str]:
    """{user id: externalId} of the agency's people among `user_ids` whose identity provider
    sent a non-empty externalId over SCIM (and who were not deleted), in one query. Downstream
    apps (the EHRI training feed) use it as the agency's employee identifier."""
    rows = ScimPerson.objects.filter(
        agency=agency, membership__user_id__in=list(user_ids), deleted_at__isnull=True
    ).exclude(external_id="")
    return dict(rows.values_list("membership__user_id", "external_id"))
