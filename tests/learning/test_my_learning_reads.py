"""My learning's reads compiled once per process (learning.my_learning_reads) give what the
catalog's own selectors give, for a member of an agency, of another agency, someone with no
agency and a platform admin."""

import pytest

from accounts.models import User
from agencies.access import actor_for
from courses.models import Visibility
from courses.selectors import card_row, catalog_rows, path_catalog_rows
from courses.services.paths import learning_path_save
from learning import services
from learning.models import Enrollment, EnrollmentStatus
from learning.my_learning_reads import (
    SUGGESTIONS,
    enrollment_rows,
    path_progress_rows,
    suggestion_rows,
)
from tests.builders import build_course, finish_course

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog(world):
    """Courses of every visibility (the platform's, agency A's own, A's shared with B, a draft)
    and paths of the platform and of each agency, some courses enrolled and completed."""
    platform = [
        build_course(
            world.platform_admin,
            None,
            slug=f"p{n}",
            title=f"Platform {n}",
            visibility=Visibility.ALL,
            publish=True,
        )
        for n in range(8)
    ]
    own = build_course(world.a_trainer, world.a, slug="a-own", title="A only", publish=True)
    build_course(world.a_trainer, world.a, slug="a-draft", title="A draft")
    b_own = build_course(world.b_admin, world.b, slug="b-own", title="B only", publish=True)
    finish_course(services.enrollment_create(user=world.a_learner, course=platform[0]))
    services.enrollment_create(user=world.a_learner, course=platform[1], required=True)
    services.enrollment_create(user=world.b_learner, course=b_own)
    learning_path_save(
        actor=None, agency=None, slug="pp", title="Platform path", course_slugs=["p0", "p1", "p2"]
    )
    learning_path_save(
        actor=world.a_trainer,
        agency=world.a,
        slug="ap",
        title="A path",
        course_slugs=["p0", "a-own"],
    )
    learning_path_save(
        actor=world.b_admin, agency=world.b, slug="bp", title="B path", course_slugs=["b-own"]
    )
    return platform, own


def _people(world):
    unplaced = User.objects.create_user(email="nobody@example.gov", password="x" * 20)
    return [world.a_learner, world.b_learner, world.platform_admin, unplaced]


def test_suggestions_are_the_catalog_less_what_the_learner_is_enrolled_in(world, catalog):
    for user in _people(world):
        enrolled = set(Enrollment.objects.filter(user=user).values_list("course_id", flat=True))
        expected = [
            (row["slug"], row["title"], row["minutes"])
            for row in map(card_row, catalog_rows(user))
            if row["pk"] not in enrolled
        ][:SUGGESTIONS]
        assert suggestion_rows(actor_for(user), user.pk) == expected, user.email
    slugs = [
        slug for slug, _t, _m in suggestion_rows(actor_for(world.a_learner), world.a_learner.pk)
    ]
    assert "p0" not in slugs and "p1" not in slugs and "b-own" not in slugs


def test_path_progress_counts_the_visible_courses_of_the_visible_paths(world, catalog):
    for user in _people(world):
        completed = set(
            Enrollment.objects.filter(user=user, status=EnrollmentStatus.COMPLETED).values_list(
                "course_id", flat=True
            )
        )
        expected = [
            (
                path["title"],
                len(path["steps"]),
                sum(step["course_id"] in completed for step in path["steps"]),
            )
            for path in path_catalog_rows(user)
        ]
        assert path_progress_rows(actor_for(user), user.pk) == expected, user.email
    assert path_progress_rows(actor_for(world.a_learner), world.a_learner.pk) == [
        ("A path", 2, 1),
        ("Platform path", 3, 1),
    ]


def test_enrollment_rows_are_the_learners_own(world, catalog):
    rows = enrollment_rows(user_id=world.a_learner.pk)
    assert sorted(row[1] for row in rows) == ["p0", "p1"]
    assert {row[1] for row in enrollment_rows(user_id=world.b_learner.pk)} == {"b-own"}
