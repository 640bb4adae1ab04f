"""The catalog: scoped to the user's agency, filtered, bounded in queries."""

import pytest
from django.http import Http404

from courses import selectors, services
from courses.models import Visibility
from tests.builders import build_course


@pytest.fixture
def catalog(world):
    """Courses of every visibility: platform, A owner-only, A shared with B, B owner-only."""
    platform = build_course(
        world.platform_admin, None, slug="platform-ai", title="Platform AI", publish=True
    )
    a_only = build_course(world.a_trainer, world.a, slug="a-only", title="A secrets", publish=True)
    shared = build_course(
        world.a_trainer,
        world.a,
        slug="a-shared",
        title="Shared privacy",
        visibility=Visibility.CHOSEN,
        shared_with=[world.b],
        publish=True,
    )
    b_only = build_course(world.b_admin, world.b, slug="b-only", title="B only", publish=True)
    draft = build_course(world.a_trainer, world.a, slug="a-draft", title="Draft only")
    return {
        "platform": platform,
        "a_only": a_only,
        "shared": shared,
        "b_only": b_only,
        "draft": draft,
    }


def slugs(courses):
    return sorted(c.slug for c in courses)


def test_learners_see_published_courses_visible_to_their_agency(world, catalog):
    assert slugs(selectors.course_catalog(world.a_learner)) == ["a-only", "a-shared", "platform-ai"]
    assert slugs(selectors.course_catalog(world.b_learner)) == ["a-shared", "b-only", "platform-ai"]
    assert len(selectors.course_catalog(world.platform_admin)) == 4


def test_archived_courses_leave_the_catalog(world, catalog):
    services.course_archive(actor=world.a_trainer, course=catalog["a_only"])
    assert "a-only" not in slugs(selectors.course_catalog(world.a_learner))
    with pytest.raises(Http404):
        selectors.course_detail(world.a_learner, "a-only")


def test_catalog_shows_the_published_title_not_draft_edits(world, catalog):
    course = catalog["a_only"]
    services.course_update(
        actor=world.a_trainer,
        course=course,
        expected_revision=course.draft_revision,
        title="Unpublished title",
    )
    found = selectors.course_catalog(world.a_learner, search="secrets")
    assert [c.current_version.title for c in found] == ["A secrets"]
    assert not selectors.course_catalog(world.a_learner, search="Unpublished")


def test_catalog_filters(world, catalog):
    course = catalog["platform"]
    services.course_update(
        actor=world.platform_admin,
        course=course,
        expected_revision=course.draft_revision,
        level="advanced",
        language="fr",
        estimated_minutes=120,
        topics=["ethics"],
    )
    services.course_publish(actor=world.platform_admin, course=course)
    user = world.a_learner
    assert slugs(selectors.course_catalog(user, level="advanced")) == ["platform-ai"]
    assert slugs(selectors.course_catalog(user, language="fr")) == ["platform-ai"]
    assert slugs(selectors.course_catalog(user, length="long")) == ["platform-ai"]
    assert slugs(selectors.course_catalog(user, length="short")) == ["a-only", "a-shared"]
    assert slugs(selectors.course_catalog(user, topic="ethics")) == ["platform-ai"]
    assert slugs(selectors.course_catalog(user, topic="ai-basics")) == ["a-only", "a-shared"]
    assert slugs(selectors.course_catalog(user, search="privacy shared")) == ["a-shared"]
    assert slugs(selectors.course_catalog(user, search="everyone")) == [
        "a-only",
        "a-shared",
        "platform-ai",
    ]


def test_course_detail_is_404_outside_the_agency(world, catalog):
    detail = selectors.course_detail(world.a_learner, "a-only")
    assert detail["lesson_count"] == 3 and detail["outcomes"] == ["Explain AI"]
    assert [m["key"] for m in detail["modules"]] == ["basics", "practice"]
    for slug in ("a-only", "a-draft", "missing"):
        with pytest.raises(Http404):
            selectors.course_detail(world.b_learner, slug)
    assert selectors.course_detail(world.b_learner, "a-shared")["course"].slug == "a-shared"


def test_catalog_queries_are_bounded(world, django_assert_num_queries):
    for n in range(32):
        build_course(
            world.a_trainer,
            world.a,
            slug=f"course-{n}",
            title=f"Course {n}",
            visibility=Visibility.OWNER,
            publish=True,
        )
    learner = world.a_learner
    with django_assert_num_queries(3):
        courses = list(selectors.course_catalog(learner, topic="ai-basics", level="beginner"))
        for course in courses:
            [t.name for t in course.current_version.topics.all()]
    assert len(courses) == 32


def test_path_catalog_shows_visible_courses_only(world, catalog, django_assert_num_queries):
    services.learning_path_save(
        actor=world.platform_admin,
        agency=None,
        slug="basics-path",
        title="Basics",
        course_slugs=["platform-ai"],
    )
    services.learning_path_save(
        actor=world.a_admin,
        agency=world.a,
        slug="a-path",
        title="A path",
        course_slugs=["a-only", "platform-ai"],
    )
    with django_assert_num_queries(3):
        paths = {
            p.slug: [s.course.slug for s in p.visible_steps]
            for p in selectors.path_catalog(world.a_learner)
        }
    assert paths == {"a-path": ["a-only", "platform-ai"], "basics-path": ["platform-ai"]}
    assert [p.slug for p in selectors.path_catalog(world.b_learner)] == ["basics-path"]


def test_studio_lists_only_editable_courses(world, catalog):
    assert slugs(selectors.studio_courses(world.a_trainer)) == ["a-draft", "a-only", "a-shared"]
    assert slugs(selectors.studio_courses(world.a_learner)) == []
    assert slugs(selectors.studio_courses(world.platform_admin)) == ["platform-ai"]


def test_learner_tags_ask_the_registered_tag_providers_first(world, monkeypatch):
    from academy.registry import Registry
    from courses import registries

    asked = []
    tags = Registry("learner course tags")
    tags.register("first", lambda user, ids: asked.append(list(ids)) or {1: "Enrolled"})
    tags.register("second", lambda user, ids: {1: "Other", 2: "Completed"})
    monkeypatch.setattr(registries, "learner_tags", tags)
    found = selectors.learner_tags(world.a_learner, [(1, "one"), (2, "two")])
    assert found == {1: "Enrolled", 2: "Completed"} and asked == [[1, 2]]
    assert selectors.learner_tags(world.a_learner, []) == {}
