"""The owner's coding travels with the course: frozen with each published version
(courses.registries.version_published) and carried in bundles as the manifest's `ehri` section
(courses.registries.bundle_sections)."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .codes import COURSE_FIELDS
from .feed import coding_problems
from .models import CourseCoding, VersionCoding

TEXT_FIELDS = [spec.name for spec in COURSE_FIELDS]
NUMBER_FIELDS = ["training_credit", "duty_hours"]
FIELDS = TEXT_FIELDS + NUMBER_FIELDS


def coding_values(coding) -> dict:
    """The coding's fields that hold a value, as plain YAML values (numbers as text, so the
    round trip is exact)."""
    values = {}
    for name in FIELDS:
        value = getattr(coding, name)
        if value not in ("", None):
            values[name] = str(value) if name in NUMBER_FIELDS else value
    return values


def _blank(name):
    return None if name in NUMBER_FIELDS else CourseCoding._meta.get_field(name).get_default()


def version_coding_freeze(*, course, version, actor=None) -> VersionCoding | None:
    """courses.registries.version_published: keep the owner's coding with the new version, if
    it is complete (an incomplete one is not frozen: the feed then uses the owner's current
    coding, which the edits' "Code the course" link fixes)."""
    if course.owner_id is None:
        return None
    coding = CourseCoding.objects.filter(course=course, agency_id=course.owner_id).first()
    if coding is None or coding_problems(coding):
        return None
    frozen, _created = VersionCoding.objects.update_or_create(
        version=version,
        defaults={"agency_id": course.owner_id, **{n: getattr(coding, n) for n in FIELDS}},
    )
    return frozen


def bundle_section_export(*, course, version) -> dict | None:
    """The `ehri` section: the coding frozen with the exported version (else the owner's
    current coding); None for a platform course or an uncoded one."""
    if course.owner_id is None:
        return None
    coding = VersionCoding.objects.filter(version=version).first() if version else None
    if coding is None:
        coding = CourseCoding.objects.filter(course=course, agency_id=course.owner_id).first()
    return coding_values(coding) if coding is not None else None


def _parsed(data) -> tuple[CourseCoding, list[str]]:
    """An unsaved coding holding the section's values, and what is wrong with them."""
    coding, problems = CourseCoding(), []
    if not isinstance(data, dict):
        return coding, [_("must be a mapping of EHRI fields")]
    for key, value in data.items():
        if key not in FIELDS:
            problems.append(_("%(key)s: unknown EHRI field") % {"key": key})
        elif not isinstance(value, str):
            problems.append(_("%(key)s: must be text") % {"key": key})
        elif key in NUMBER_FIELDS:
            try:
                setattr(coding, key, Decimal(value))
            except InvalidOperation:
                problems.append(_("%(key)s: must be a number") % {"key": key})
        else:
            setattr(coding, key, value)
    for name in FIELDS:
        if name not in data:
            setattr(coding, name, _blank(name))
    try:
        coding.clean_fields(exclude=["course", "agency", "updated_by"])
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            problems.extend(f"{name}: {message}" for message in messages)
    if coding.duty_hours is not None and coding.duty_hours <= 0:
        problems.append(_("duty_hours: must be more than zero"))
    return coding, problems


def bundle_section_problems(data) -> list[str]:
    return _parsed(data)[1]


def bundle_section_apply(*, course, data, actor=None) -> None:
    """The imported course's owner coding becomes the section's (checked before: see
    bundle_section_problems). A platform course has no owner to hold a coding: ignored."""
    if course.owner_id is None:
        return
    coding, _problems = _parsed(data)
    CourseCoding.objects.update_or_create(
        course=course,
        agency_id=course.owner_id,
        defaults={
            **{name: getattr(coding, name) for name in FIELDS},
            "updated_by": actor if actor is not None and actor.is_authenticated else None,
        },
    )
