"""My learning's reads compiled once per process (learning.my_learning_reads) give what the
catalog's own selectors give, for a member of an agency, of another agency, someone with no
agency and a platform admin; and so do the suggestions and paths made from the audience's
catalog kept per process (courses.selectors.audience_catalog), read again when it changes."""

import pytest

from accounts.models import User
from agencies.access import actor_for
from courses import selectors as course_selectors
from courses.models import Visibility
from courses.selectors import audience_catalog, card_row, catalog_rows, path_catalog_rows
from courses.services.paths import learning_path_save
from learning import services
from learning.models import Enrollment, EnrollmentStatus
from learning.my_learning_reads import (
    SUGGESTIONS,
    enrollment_rows,
    path_progress_from_catalog,
    path_progress_rows,
    suggestion_rows,
    suggestions_from_catalog,
)
from learning.selectors import my_learning
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


def test_suggestions_and_paths_from_the_kept_catalog_are_the_reads(world, catalog):
    for user in _people(world):
        kept = audience_catalog(user)
        rows = enrollment_rows(user_id=user.pk)
        actor = actor_for(user)
        assert suggestions_from_catalog(kept, rows) == suggestion_rows(actor, user.pk)
        assert path_progress_from_catalog(kept, rows) == path_progress_rows(actor, user.pk)


def test_the_kept_catalog_is_the_audiences_own(world, catalog):
    a_titles = [path for path, _steps in audience_catalog(world.a_learner)["paths"]]
    b_kept = audience_catalog(world.b_learner)
    assert a_titles == ["A path", "Platform path"]
    assert [path for path, _steps in b_kept["paths"]] == ["B path", "Platform path"]
    assert "a-own" not in {slug for _pk, slug, _t, _m in b_kept["courses"]}


def test_a_catalog_change_is_read_at_once(world, catalog, django_assert_num_queries):
    user = world.a_learner
    audience_catalog(user)
    with django_assert_num_queries(0):
        kept = audience_catalog(user)
    assert "later" not in {slug for _pk, slug, _t, _m in kept["courses"]}
    build_course(world.platform_admin, None, slug="later", title="A later one", publish=True)
    learning_path_save(actor=None, agency=None, slug="np", title="New path", course_slugs=["later"])
    with django_assert_num_queries(3):
        kept = audience_catalog(user)
    assert "later" in {slug for _pk, slug, _t, _m in kept["courses"]}
    assert ("New path", 1, 0) in path_progress_from_catalog(kept, enrollment_rows(user_id=user.pk))


def test_a_learner_in_most_of_the_kept_courses_is_suggested_from_the_database(
    world, catalog, monkeypatch
):
    monkeypatch.setattr(course_selectors, "AUDIENCE_CATALOG_COURSES", 3)
    user = world.a_learner  # enrolled in p0 and p1: of the first three, one is left
    kept = audience_catalog(user)
    assert len(kept["courses"]) == 3 and not kept["all_courses"]
    assert suggestions_from_catalog(kept, enrollment_rows(user_id=user.pk)) is None
    suggested = my_learning(user)["suggestions"]
    assert [row["slug"] for row in suggested] == [
        slug for slug, _t, _m in suggestion_rows(actor_for(user), user.pk)
    ]
    assert len(suggested) == SUGGESTIONS
