"""SCIM 2.0 endpoints (RFC 7643, RFC 7644) under /scim/v2/, for an agency's identity provider.

Thin views: a bearer token names the agency (services.token_authenticate); payloads are read and
written with scim2-models (schemas, filters, PATCH operations); the changes go through
provisioning.services in one transaction each. Every refusal is a SCIM error message. These are
the only CSRF-exempt views: they take no cookie, only the bearer token.

Users are the agency's members (id: the user id); Groups are the agency's units (id: the unit
id), see docs/sso.md.
"""

import json
from collections.abc import Callable

import pydantic
from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from scim2_models import (
    AuthenticationScheme,
    Bulk,
    ChangePassword,
    Context,
    Email,
    EnterpriseUser,
    ETag,
    Filter,
    Group,
    GroupMember,
    InvalidFilterException,
    InvalidSyntaxException,
    InvalidValueException,
    ListResponse,
    Meta,
    Name,
    NotFoundException,
    NotImplementedException,
    Patch,
    PatchOp,
    ResourceType,
    SCIMException,
    ScimFilter,
    ScimPolicy,
    ServiceProviderConfig,
    Sort,
    UnauthorizedException,
    User,
)
from scim2_models.path.expressions import CompareOperator, Comparison

from agencies.permissions import client_ip

from . import selectors, services

CONTENT_TYPE = "application/scim+json"
ScimUser = User[EnterpriseUser]
USER_URN = str(User.__schema__)
GROUP_URN = str(Group.__schema__)
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 200

# What Entra ID and Okta send beyond the letter of the RFCs: attributes Academy does not keep
# (ignored), a PATCH "remove" whose value names the members to remove (Entra), and a PATCH on
# emails[type eq "work"] when there is no work email yet (Entra).
POLICY = ScimPolicy(
    unknown=ScimPolicy.Unknown.ignore,
    remove_value_as_filter=ScimPolicy.RemoveValue.apply,
    unmatched_path_filter=ScimPolicy.UnmatchedPathFilter.create,
)


class MethodNotAllowed(SCIMException):
    status = 405
    scim_type = None
    _default_detail = "Method not allowed"


def _json(payload, status=200, headers=None) -> HttpResponse:
    response = HttpResponse(
        json.dumps(payload, default=str), status=status, content_type=CONTENT_TYPE
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _error(exc: SCIMException) -> HttpResponse:
    headers = {"WWW-Authenticate": 'Bearer realm="scim"'} if exc.status == 401 else None
    return _json(exc.to_error().model_dump(), status=int(exc.status), headers=headers)


def _bearer(request) -> str:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def scim_endpoint(**handlers: Callable) -> Callable:
    """A view that authenticates the bearer token, dispatches on the method to
    `handlers[method](request, token, **kwargs)`, and answers every refusal as a SCIM error."""

    @csrf_exempt
    def view(request, **kwargs):
        token = services.token_authenticate(_bearer(request))
        if token is None:
            return _error(UnauthorizedException(detail="A valid bearer token is required."))
        handler = handlers.get(request.method.lower())
        if handler is None:
            return _error(MethodNotAllowed())
        try:
            with POLICY:
                return handler(request, token, **kwargs)
        except SCIMException as exc:
            return _error(exc)
        except pydantic.ValidationError as exc:
            detail = "; ".join(
                f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
            )
            return _error(InvalidValueException(detail=detail[:1000]))

    return view


def _body(request) -> dict:
    try:
        payload = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidSyntaxException(detail="The body is not JSON.") from exc
    if not isinstance(payload, dict):
        raise InvalidSyntaxException(detail="The body must be a JSON object.")
    return payload


def _base(request) -> str:
    return request.build_absolute_uri(reverse("scim:root")).rstrip("/")


def _int_id(value: str) -> int:
    if not value.isdigit() or len(value) > 18:
        raise NotFoundException(detail="Resource not found.")
    return int(value)


def _page(request) -> tuple[int, int]:
    """(startIndex, count) from the query, as RFC 7644 3.4.2.4 reads them."""
    try:
        start = int(request.GET.get("startIndex", 1))
        count = int(request.GET.get("count", DEFAULT_PAGE_SIZE))
    except ValueError as exc:
        raise InvalidValueException(detail="startIndex and count must be integers.") from exc
    return max(start, 1), min(max(count, 0), MAX_PAGE_SIZE)


def _eq_filter(request, model, allowed: dict[str, str], urn: str) -> tuple[str, str] | None:
    """(field, value) of a filter `<attribute> eq "<value>"` on one of `allowed`
    ({scim attribute, lower case: field}); any other filter is refused (invalidFilter)."""
    text = request.GET.get("filter", "").strip()
    if not text:
        return None
    ast = ScimFilter[model](text).ast  # raises InvalidFilterException on bad syntax
    path = getattr(ast, "attr_path", None)
    if (
        not isinstance(ast, Comparison)
        or ast.op != CompareOperator.eq
        or path.sub_attr is not None
        or (path.uri is not None and str(path.uri) != urn)
        or path.attr.lower() not in allowed
        or not isinstance(ast.value, str)
    ):
        names = " or ".join(f'{name} eq "…"' for name in allowed.values())
        raise InvalidFilterException(detail=f"Only {names} filters are supported.")
    return allowed[path.attr.lower()], ast.value


def _list(request, queryset, resource, model) -> HttpResponse:
    start, count = _page(request)
    total = queryset.count()
    rows = list(queryset[start - 1 : start - 1 + count]) if count else []
    return _json(
        ListResponse[model](
            total_results=total,
            start_index=start,
            items_per_page=len(rows),
            resources=[resource(request, row) for row in rows],
        ).model_dump(scim_ctx=Context.SEARCH_RESPONSE)
    )


# --- Users ---------------------------------------------------------------------------------


def _name(full_name: str, person) -> Name | None:
    given = person.given_name if person is not None else ""
    family = person.family_name if person is not None else ""
    if not (full_name or given or family):
        return None
    return Name(formatted=full_name or None, given_name=given or None, family_name=family or None)


def _user_resource(request, membership) -> ScimUser:
    user = membership.user
    person = getattr(membership, "scim_person", None)
    if membership.unit_id is not None:
        # The code when the unit has one: what the identity provider sends, so a sync that
        # compares what it reads finds nothing to change.
        department = membership.unit.code or membership.unit.name
    else:
        department = person.department if person is not None and person.department else None
    resource = ScimUser(
        id=str(user.pk),
        external_id=(person.external_id if person is not None else "") or None,
        user_name=user.email,
        name=_name(user.full_name, person),
        display_name=user.full_name or None,
        active=bool(membership.is_active),
        emails=[Email(value=user.email, type=Email.Type.work, primary=True)],
        meta=Meta(
            resource_type="User",
            created=membership.joined_at,
            last_modified=person.updated_at if person is not None else membership.joined_at,
            location=f"{_base(request)}/Users/{user.pk}",
        ),
    )
    resource[EnterpriseUser] = EnterpriseUser(department=department)
    return resource


def _person_data(resource: ScimUser) -> services.PersonData:
    name = resource.name
    given, family = (name.given_name or "", name.family_name or "") if name else ("", "")
    full_name = " ".join(p for p in (given, family) if p)
    full_name = full_name or (name.formatted if name else "") or resource.display_name or ""
    extension = resource[EnterpriseUser]
    if not resource.user_name:
        raise InvalidValueException(detail="userName is required.")
    return services.PersonData(
        email=resource.user_name,
        full_name=full_name.strip(),
        given_name=given.strip(),
        family_name=family.strip(),
        external_id=resource.external_id or "",
        active=resource.active if resource.active is not None else True,
        department=extension.department if extension is not None else None,
    )


def _person_or_404(token, resource_id) -> object:
    membership = selectors.scim_person(agency=token.agency, user_id=_int_id(resource_id))
    if membership is None:
        raise NotFoundException(detail="Resource not found.")
    return membership


def _user_response(request, token, membership, status=200, ctx=Context.RESOURCE_QUERY_RESPONSE):
    membership = _person_or_404(token, str(membership.user_id))
    resource = _user_resource(request, membership)
    headers = {"Location": resource.meta.location} if status == 201 else None
    return _json(resource.model_dump(scim_ctx=ctx), status=status, headers=headers)


def users_list(request, token):
    people = selectors.scim_people(agency=token.agency)
    found = _eq_filter(
        request,
        ScimUser,
        {"username": "userName", "externalid": "externalId"},
        USER_URN,
    )
    if found is not None:
        attribute, value = found
        if attribute == "userName":
            people = people.filter(user__email__iexact=value)
        else:
            people = people.filter(scim_person__external_id=value)
    return _list(request, people, _user_resource, ScimUser)


def users_create(request, token):
    resource = ScimUser.model_validate(_body(request), scim_ctx=Context.RESOURCE_CREATION_REQUEST)
    membership, _created = services.scim_user_create(
        token=token, data=_person_data(resource), ip=client_ip(request)
    )
    return _user_response(
        request, token, membership, status=201, ctx=Context.RESOURCE_CREATION_RESPONSE
    )


def user_get(request, token, resource_id):
    return _user_response(request, token, _person_or_404(token, resource_id))


def user_replace(request, token, resource_id):
    membership = _person_or_404(token, resource_id)
    resource = ScimUser.model_validate(
        _body(request), scim_ctx=Context.RESOURCE_REPLACEMENT_REQUEST
    )
    services.scim_user_replace(
        token=token, membership=membership, data=_person_data(resource), ip=client_ip(request)
    )
    return _user_response(request, token, membership, ctx=Context.RESOURCE_REPLACEMENT_RESPONSE)


def user_patch(request, token, resource_id):
    membership = _person_or_404(token, resource_id)
    patch = PatchOp[ScimUser].model_validate(
        _body(request), scim_ctx=Context.RESOURCE_PATCH_REQUEST
    )
    resource = _user_resource(request, membership)
    patch.patch(resource)
    services.scim_user_replace(
        token=token, membership=membership, data=_person_data(resource), ip=client_ip(request)
    )
    return _user_response(request, token, membership, ctx=Context.RESOURCE_PATCH_RESPONSE)


def user_delete(request, token, resource_id):
    membership = _person_or_404(token, resource_id)
    services.scim_user_delete(token=token, membership=membership, ip=client_ip(request))
    return HttpResponse(status=204)


# --- Groups (the agency's units) -----------------------------------------------------------


def _group_resource(request, unit, members=None) -> Group:
    return Group(
        id=str(unit.pk),
        display_name=unit.name,
        members=(
            [GroupMember(value=str(user_id), display=email) for user_id, email in members]
            if members is not None
            else None
        ),
        meta=Meta(
            resource_type="Group",
            created=unit.created_at,
            last_modified=unit.created_at,
            location=f"{_base(request)}/Groups/{unit.pk}",
        ),
    )


def _unit_or_404(token, resource_id):
    unit = selectors.scim_units(agency=token.agency).filter(pk=_int_id(resource_id)).first()
    if unit is None:
        raise NotFoundException(detail="Resource not found.")
    return unit


def groups_list(request, token):
    units = selectors.scim_units(agency=token.agency)
    found = _eq_filter(request, Group, {"displayname": "displayName"}, GROUP_URN)
    if found is not None:
        units = units.filter(name__iexact=found[1])
    # Members are listed by GET /Groups/{id} only: a unit may hold thousands of people.
    return _list(request, units, _group_resource, Group)


def group_get(request, token, resource_id):
    unit = _unit_or_404(token, resource_id)
    members = selectors.scim_unit_members(unit=unit)
    return _json(
        _group_resource(request, unit, members).model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
    )


def group_patch(request, token, resource_id):
    unit = _unit_or_404(token, resource_id)
    patch = PatchOp[Group].model_validate(_body(request), scim_ctx=Context.RESOURCE_PATCH_REQUEST)
    members = selectors.scim_unit_members(unit=unit)
    group = _group_resource(request, unit, members)
    patch.patch(group)
    after = set()
    for member in group.members or []:
        if not (member.value or "").isdigit():
            raise InvalidValueException(detail=f"No such user: {member.value}")
        after.add(int(member.value))
    # displayName is not changed here: units are named in Academy.
    services.scim_group_set_members(
        token=token,
        unit=unit,
        before={user_id for user_id, _email in members},
        after=after,
        ip=client_ip(request),
    )
    return group_get(request, token, resource_id)


def groups_not_created(request, token, resource_id=None):
    raise NotImplementedException(
        detail="Groups are the agency's units: add, rename and remove units in Academy."
    )


# --- Discovery -----------------------------------------------------------------------------


def _service_provider_config(request) -> ServiceProviderConfig:
    return ServiceProviderConfig(
        documentation_uri=None,
        patch=Patch(supported=True),
        bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
        filter=Filter(supported=True, max_results=MAX_PAGE_SIZE),
        change_password=ChangePassword(supported=False),
        sort=Sort(supported=False),
        etag=ETag(supported=False),
        authentication_schemes=[
            AuthenticationScheme(
                type=AuthenticationScheme.Type.oauthbearertoken,
                name="Bearer token",
                description="A token created by the agency's admin in Academy "
                "(Manage > Provisioning (SCIM)).",
                primary=True,
            )
        ],
        meta=Meta(
            resource_type="ServiceProviderConfig",
            location=f"{_base(request)}/ServiceProviderConfig",
        ),
    )


def service_provider_config(request, token):
    return _json(
        _service_provider_config(request).model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
    )


def _resource_types(request) -> dict[str, ResourceType]:
    types = {}
    for model in (ScimUser, Group):
        resource_type = ResourceType.from_resource(model)
        resource_type.meta = Meta(
            resource_type="ResourceType",
            location=f"{_base(request)}/ResourceTypes/{resource_type.id}",
        )
        types[resource_type.id] = resource_type
    return types


def _schemas(request) -> dict:
    schemas = {}
    for model in (User, EnterpriseUser, Group):
        schema = model.to_schema()
        schema.meta = Meta(resource_type="Schema", location=f"{_base(request)}/Schemas/{schema.id}")
        schemas[schema.id] = schema
    return schemas


def _listing(items) -> HttpResponse:
    items = list(items)
    return _json(
        ListResponse[type(items[0])](
            total_results=len(items), start_index=1, items_per_page=len(items), resources=items
        ).model_dump(scim_ctx=Context.SEARCH_RESPONSE)
    )


def _one(items: dict, key: str) -> HttpResponse:
    if key not in items:
        raise NotFoundException(detail="Resource not found.")
    return _json(items[key].model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))


def resource_types(request, token):
    return _listing(_resource_types(request).values())


def resource_type(request, token, resource_id):
    return _one(_resource_types(request), resource_id)


def schemas(request, token):
    return _listing(_schemas(request).values())


def schema(request, token, resource_id):
    return _one(_schemas(request), resource_id)


def not_found(request, token, **kwargs):
    raise NotFoundException(detail="Resource not found.")
