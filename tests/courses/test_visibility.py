"""'Every agency' needs a platform admin's approval; requests and decisions are audited."""

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from agencies.models import AuditEvent
from courses import services
from courses.access import access_course_for_learner
from courses.bundles import bundle_import
from courses.models import Visibility, VisibilityRequest

from .conftest import BUNDLES

PENDING = VisibilityRequest.State.PENDING


def _ask_for_every_agency(world, course):
    course.refresh_from_db()
    return services.course_update(
        actor=world.a_trainer,
        course=course,
        expected_revision=course.draft_revision,
        visibility=Visibility.ALL,
        shared_with=[],
    )


def _visible_to_b(world, course):
    try:
        access_course_for_learner(world.b_learner, course.slug)
    except Http404:
        return False
    return True


def test_trainer_asking_for_every_agency_opens_a_request_and_the_course_stays_owner_only(
    world, course_a
):
    course = _ask_for_every_agency(world, course_a)
    assert course.visibility == Visibility.OWNER
    assert not _visible_to_b(world, course)
    request = VisibilityRequest.objects.get(course=course)
    assert request.state == PENDING and request.requested_by == world.a_trainer
    event = AuditEvent.objects.get(action="course.visibility_request")
    assert event.agency == world.a and event.changes == {"visibility": ["owner", "all"]}
    # Asking again keeps the one pending request.
    _ask_for_every_agency(world, course)
    assert VisibilityRequest.objects.filter(course=course, state=PENDING).count() == 1


def test_creating_a_course_for_every_agency_waits_for_approval(world):
    course = services.course_create(
        actor=world.a_admin,
        agency=world.a,
        title="Everyone",
        slug="everyone",
        visibility=Visibility.ALL,
    )
    assert course.visibility == Visibility.OWNER
    assert VisibilityRequest.objects.filter(course=course, state=PENDING).exists()


def test_platform_admin_approval_shows_the_course_to_every_agency_and_is_audited(world, course_a):
    _ask_for_every_agency(world, course_a)
    request = VisibilityRequest.objects.get(course=course_a)
    services.visibility_request_decide(actor=world.platform_admin, request=request, approve=True)
    course_a.refresh_from_db()
    request.refresh_from_db()
    assert course_a.visibility == Visibility.ALL and _visible_to_b(world, course_a)
    assert request.state == "approved" and request.decided_by == world.platform_admin
    event = AuditEvent.objects.get(action="course.visibility_approve")
    assert event.actor == world.platform_admin and event.agency == world.a
    assert event.changes == {"visibility": ["owner", "all"]} and event.outcome == "success"
    with pytest.raises(ValidationError, match="already decided"):
        services.visibility_request_decide(
            actor=world.platform_admin, request=request, approve=False
        )


def test_rejection_keeps_the_visibility_and_is_audited(world, course_a):
    _ask_for_every_agency(world, course_a)
    request = VisibilityRequest.objects.get(course=course_a)
    services.visibility_request_decide(actor=world.platform_admin, request=request, approve=False)
    course_a.refresh_from_db()
    assert course_a.visibility == Visibility.OWNER and not _visible_to_b(world, course_a)
    assert VisibilityRequest.objects.get().state == "rejected"
    assert AuditEvent.objects.filter(action="course.visibility_reject", outcome="success").exists()


def test_only_a_platform_admin_decides(world, course_a):
    _ask_for_every_agency(world, course_a)
    request = VisibilityRequest.objects.get(course=course_a)
    for user in (world.a_admin, world.a_trainer):
        with pytest.raises(ValidationError, match="Only a platform admin"):
            services.visibility_request_decide(actor=user, request=request, approve=True)
    course_a.refresh_from_db()
    assert course_a.visibility == Visibility.OWNER
    assert (
        AuditEvent.objects.filter(action="course.visibility_approve", outcome="rejected").count()
        == 2
    )


def test_choosing_another_visibility_withdraws_the_request(world, course_a):
    _ask_for_every_agency(world, course_a)
    course_a.refresh_from_db()
    services.course_update(
        actor=world.a_trainer,
        course=course_a,
        expected_revision=course_a.draft_revision,
        visibility=Visibility.CHOSEN,
        shared_with=[world.b],
    )
    assert VisibilityRequest.objects.get().state == "withdrawn"


def test_platform_admins_and_the_system_set_every_agency_directly(world):
    platform = services.course_create(
        actor=world.platform_admin, agency=None, title="Platform", slug="platform"
    )
    assert platform.visibility == Visibility.ALL
    imported = bundle_import(BUNDLES / "mini-course", actor=None, agency=None)
    assert imported.visibility == Visibility.ALL
    seeded = services.course_create(
        actor=None, agency=world.a, title="Seeded", slug="seeded", visibility=Visibility.ALL
    )
    assert seeded.visibility == Visibility.ALL
    assert not VisibilityRequest.objects.exists()
