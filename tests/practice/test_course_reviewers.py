"""Reviewers named per course: when an agency names any, only they see and grade its learners'
work on that course; otherwise every trainer and admin of the agency does."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from agencies.models import AuditEvent, Role
from practice import selectors, services
from practice.models import CourseReviewer, SubmissionStatus
from tests.builders import make_member, simple_course, with_practice_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def second(world):
    return make_member(world.a, Role.TRAINER, world.digital, email="second@a.gov")


@pytest.fixture
def submitted(enrollment):
    return services.submission_submit(
        enrollment=enrollment, task_key="rewrite-prompt", text="Mine", base_version=0
    )[0]


def name(actor, agency, course, *users):
    return services.course_reviewers_set(
        actor=actor, agency=agency, course=course, user_ids=[u.pk for u in users]
    )


def test_without_named_reviewers_every_trainer_and_admin_reviews(world, submitted, second):
    for user in (world.a_trainer, world.a_admin, second):
        assert [row["id"] for row in selectors.review_queue(user)] == [submitted.pk]


def test_named_reviewers_alone_see_and_claim(world, client_for, course, submitted, second):
    name(world.a_admin, world.a, course, second)
    assert [row["id"] for row in selectors.review_queue(second)] == [submitted.pk]
    for user in (world.a_trainer, world.a_admin):
        assert selectors.review_queue(user) == []
        client = client_for(user)
        assert client.get(reverse("practice:review", args=[submitted.pk])).status_code == 404
        assert client.post(reverse("practice:claim", args=[submitted.pk])).status_code == 404
        assert not services.submission_claim(reviewer=user, submission_id=submitted.pk)
    submitted.refresh_from_db()
    assert submitted.status == SubmissionStatus.SUBMITTED
    assert services.submission_claim(reviewer=second, submission_id=submitted.pk)
    # Naming nobody again brings back the agency-wide rule.
    name(world.a_admin, world.a, course)
    assert [row["id"] for row in selectors.review_queue(world.a_trainer)] == [submitted.pk]


def test_the_course_owners_trainer_names_them_by_the_page(world, client_for, course, second):
    client = client_for(world.a_trainer)
    listing = client.get(reverse("practice:reviewers")).content.decode()
    assert "With practice" in listing and "Every trainer and admin of your agency" in listing
    url = reverse("practice:course_reviewers", args=[course.pk])
    page = client.get(url).content.decode()
    assert "second@a.gov" in page or second.full_name in page
    response = client.post(url, {"reviewers": [str(second.pk)]})
    assert response.status_code == 302
    assert list(CourseReviewer.objects.values_list("agency_id", "user_id")) == [
        (world.a.pk, second.pk)
    ]
    assert AuditEvent.objects.filter(action="practice.reviewers", target=course.slug).exists()
    assert (second.full_name or second.email) in client.get(
        reverse("practice:reviewers")
    ).content.decode()


def test_only_trainers_and_admins_of_the_agency_can_be_named(world, client_for, course):
    url = reverse("practice:course_reviewers", args=[course.pk])
    response = client_for(world.a_admin).post(url, {"reviewers": [str(world.a_learner.pk)]})
    assert response.status_code == 400  # not a choice
    b_trainer = make_member(world.b, Role.TRAINER, world.branch, email="trainer@b.gov")
    with pytest.raises(ValidationError):
        name(world.a_admin, world.a, course, b_trainer)
    with pytest.raises(ValidationError):
        name(world.a_admin, world.a, course, world.a_manager)
    assert not CourseReviewer.objects.exists()


def test_other_agencies_learners_and_managers_get_404(world, client_for, course, second):
    url = reverse("practice:course_reviewers", args=[course.pk])
    for user in (world.b_admin, world.a_learner, world.a_manager):
        client = client_for(user)
        assert client.get(url).status_code == 404
        assert client.post(url, {"reviewers": [str(second.pk)]}).status_code == 404
    assert not CourseReviewer.objects.exists()
    with pytest.raises(ValidationError):
        name(world.b_admin, world.b, course)  # B's learners cannot take A's course


def test_a_trainer_cannot_name_reviewers_of_a_course_their_agency_does_not_own(
    world, client_for, second
):
    shared = simple_course(world.b_admin, world.b, slug="from-b", title="From B")
    with_practice_task(world.b_admin, shared)
    shared.visibility = "all"
    shared.save(update_fields=["visibility"])
    url = reverse("practice:course_reviewers", args=[shared.pk])
    assert client_for(world.a_trainer).get(url).status_code == 404
    # A's admin names A's reviewers of B's course, for A's learners only.
    assert client_for(world.a_admin).post(url, {"reviewers": [str(second.pk)]}).status_code == 302
    assert CourseReviewer.objects.get().agency_id == world.a.pk


def test_the_files_follow_the_named_reviewers(world, course, submitted, second):
    from agencies.access import actor_for
    from practice.access import reviewable_q
    from practice.models import Submission, SubmissionFile

    name(world.a_admin, world.a, course, second)
    for user, seen in ((second, 1), (world.a_trainer, 0), (world.a_admin, 0)):
        actor = actor_for(user)
        assert Submission.objects.filter(reviewable_q(actor)).count() == seen
        # The same rule, through a file's submission (access_file).
        files = SubmissionFile.objects.filter(reviewable_q(actor, prefix="submission__"))
        assert files.count() == 0  # a text task: no files, but the filter holds
