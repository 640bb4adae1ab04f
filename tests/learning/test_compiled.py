"""The lesson page's reads built once per process (learning.compiled) return what the ORM
path returns: the same enrollment, course and version, field by field, and the same keys."""

import pytest
from django.db.models import Value, signals

from courses.models import Course
from learning import services
from learning.access import access_enrollment
from learning.compiled import enrollment_with_course_and_version, lessons_done_and_quizzes_passed
from learning.models import Enrollment, LessonProgress, QuizAttempt
from tests.builders import build_course, right_answers, wrong_answers

pytestmark = pytest.mark.django_db


def _fields(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def test_enrollment_lookup_matches_the_orm(world, enrollment):
    services.enrollment_visit(enrollment=enrollment, lesson_key="history")
    services.lesson_complete(enrollment=enrollment, lesson_key="what-is-ai")
    orm = Enrollment.objects.select_related("course", "version").get(
        user=world.a_learner, course__slug="intro-ai"
    )
    raw = enrollment_with_course_and_version(world.a_learner.pk, "intro-ai")
    assert _fields(raw) == _fields(orm)
    assert _fields(raw.course) == _fields(orm.course)
    assert _fields(raw.version) == _fields(orm.version)
    assert raw.version.snapshot == orm.version.snapshot and isinstance(raw.version.snapshot, dict)
    assert raw._state.adding is False and raw._state.db == orm._state.db
    assert Enrollment.course.is_cached(raw) and Enrollment.version.is_cached(raw)


def test_instances_hold_what_from_db_gives_and_follow_an_init_receiver(world, enrollment):
    orm = Enrollment.objects.select_related("course").get(pk=enrollment.pk)
    raw = enrollment_with_course_and_version(world.a_learner.pk, "intro-ai", shared_version=True)
    for built, expected in ((raw, orm), (raw.course, orm.course)):
        assert built.__dict__.keys() - {"done_keys"} == expected.__dict__.keys()
        assert _fields(built) == _fields(expected)
        assert (built._state.adding, built._state.db) == (False, expected._state.db)
    assert raw == orm and raw.course == orm.course
    assert raw.get_deferred_fields() == set()
    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance)

    signals.post_init.connect(receiver, sender=Course)
    try:
        again = enrollment_with_course_and_version(world.a_learner.pk, "intro-ai")
    finally:
        signals.post_init.disconnect(receiver, sender=Course)
    assert seen == [again.course]  # built by Model.__init__, which sends it


def test_enrollment_lookup_is_scoped_to_the_user_and_slug(
    world, enrollment, django_assert_num_queries
):
    build_course(world.b_admin, world.b, slug="b-course", title="B", publish=True)
    with django_assert_num_queries(1):
        assert access_enrollment(world.a_learner, "intro-ai").pk == enrollment.pk
    assert enrollment_with_course_and_version(world.a_learner.pk, "b-course") is None
    assert enrollment_with_course_and_version(world.b_learner.pk, "intro-ai") is None
    assert enrollment_with_course_and_version(world.a_learner.pk, "missing") is None


def _orm_done(enrollment):
    lessons = LessonProgress.objects.filter(
        enrollment=enrollment, period=enrollment.period
    ).values_list(Value("lesson"), "lesson_key")
    passed = QuizAttempt.objects.filter(
        enrollment=enrollment, period=enrollment.period, passed=True
    ).values_list(Value("quiz"), "quiz_key")
    done = {"lesson": set(), "quiz": set()}
    for kind, key in lessons.order_by().union(passed.order_by()):
        done[kind].add(key)
    return done["lesson"], done["quiz"]


def test_done_keys_match_the_orm(world, enrollment):
    assert lessons_done_and_quizzes_passed(enrollment.pk, enrollment.period) == (set(), set())
    failed = services.attempt_start(enrollment=enrollment, quiz_key="check")
    services.attempt_submit(attempt=failed, answers=wrong_answers(failed))
    services.lesson_complete(enrollment=enrollment, lesson_key="history")
    services.attempt_start(enrollment=enrollment, quiz_key="check")  # open: passed is NULL
    enrollment.refresh_from_db()
    got = lessons_done_and_quizzes_passed(enrollment.pk, enrollment.period)
    assert got == _orm_done(enrollment) == ({"history"}, set())
    attempt = QuizAttempt.objects.get(enrollment=enrollment, passed__isnull=True)
    services.attempt_submit(attempt=attempt, answers=right_answers(attempt))
    enrollment.refresh_from_db()
    got = lessons_done_and_quizzes_passed(enrollment.pk, enrollment.period)
    assert got == _orm_done(enrollment) == ({"history"}, {"check"})
    assert lessons_done_and_quizzes_passed(enrollment.pk, enrollment.period + 1) == (set(), set())


def test_lesson_page_lookup_brings_the_done_keys_and_the_shared_version(world, enrollment):
    def lookup():
        return enrollment_with_course_and_version(
            world.a_learner.pk, "intro-ai", shared_version=True
        )

    assert lookup().done_keys[1:] == (set(), set())
    services.lesson_complete(enrollment=enrollment, lesson_key="history")
    services.lesson_complete(enrollment=enrollment, lesson_key="what-is-ai")
    attempt = services.attempt_start(enrollment=enrollment, quiz_key="check")
    services.attempt_submit(attempt=attempt, answers=right_answers(attempt))
    enrollment.refresh_from_db()
    found = lookup()
    orm = Enrollment.objects.select_related("course", "version").get(pk=enrollment.pk)
    assert found.done_keys == (enrollment.period, *_orm_done(enrollment))
    assert _fields(found) == _fields(orm) and _fields(found.course) == _fields(orm.course)
    assert _fields(found.version) == _fields(orm.version)
    assert found.version is lookup().version  # the process's instance, read once
    assert (
        lookup() is not None
        and enrollment_with_course_and_version(world.b_learner.pk, "intro-ai", shared_version=True)
        is None
    )
