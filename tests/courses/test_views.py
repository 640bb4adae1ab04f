"""Learner catalog and course pages."""

import pytest
from django.urls import reverse

from courses.models import Visibility
from tests.builders import build_course


@pytest.fixture
def many(world):
    for n in range(30):
        build_course(
            world.platform_admin,
            None,
            slug=f"course-{n}",
            title=f"Course {n}",
            visibility=Visibility.ALL,
            publish=True,
        )
    return build_course(world.a_trainer, world.a, slug="a-only", title="A only", publish=True)


def test_catalog_page_lists_courses_with_bounded_queries(
    world, many, client_for, django_assert_num_queries
):
    client = client_for(world.a_learner)
    # Warm up: the first request after sign-in saves the session and caches the skeleton.
    client.get(reverse("courses:catalog"))
    # The user, the learner's enrollment states, the live sessions.
    with django_assert_num_queries(3):
        response = client.get(reverse("courses:catalog"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "A only" in body and "Course 1" in body
    assert '<label class="usa-label" for="catalog-search">' in body
    assert 'for="catalog-topic"' in body and 'for="catalog-level"' in body


def test_catalog_page_filters(world, many, client_for):
    response = client_for(world.a_learner).get(reverse("courses:catalog"), {"search": "only"})
    assert "A only" in response.content.decode()
    assert "Course 1<" not in response.content.decode()


def test_other_agency_learner_does_not_see_owner_only_course(world, many, client_for):
    client = client_for(world.b_learner)
    assert "A only" not in client.get(reverse("courses:catalog")).content.decode()
    response = client.get(reverse("courses:course_detail", args=["a-only"]))
    assert response.status_code == 404


def test_course_page_shows_syllabus_length_and_outcomes(
    world, many, client_for, django_assert_num_queries
):
    client = client_for(world.a_learner)
    # Warm up: the first request after sign-in saves the session.
    client.get(reverse("courses:course_detail", args=["a-only"]))
    with django_assert_num_queries(4):  # + the learner's enrollment state
        response = client.get(reverse("courses:course_detail", args=["a-only"]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Explain AI" in body and "What is AI" in body and "Prompts" in body
    assert "about 30 minutes" in body and "Check" in body


def test_catalog_requires_sign_in(client, db):
    response = client.get(reverse("courses:catalog"))
    assert response.status_code == 302


def _published_with_topic(actor, agency, slug, topic):
    from courses import services

    course = build_course(actor, agency, slug=slug, title=slug)
    services.course_update(
        actor=actor, course=course, expected_revision=course.draft_revision, topics=[topic]
    )
    services.course_publish(actor=actor, course=course)


def test_catalog_topic_filter_does_not_show_other_agencies_private_topics(world, client_for):
    _published_with_topic(world.a_trainer, world.a, "a-secret", "operation-nightjar")
    _published_with_topic(world.b_admin, world.b, "b-own", "b-onboarding")
    body = client_for(world.b_learner).get(reverse("courses:catalog")).content.decode()
    assert "operation-nightjar" not in body
    assert "b-onboarding" in body
    body = client_for(world.a_learner).get(reverse("courses:catalog")).content.decode()
    assert "operation-nightjar" in body and "b-onboarding" not in body
