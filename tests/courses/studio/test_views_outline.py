"""Building the outline: modules and lessons added, renamed, reordered with buttons, deleted."""

from django.urls import reverse

from courses import services
from courses.models import Lesson, Module


def test_add_module_and_blank_title_keeps_form_error(world, course_a, client_for):
    client = client_for(world.a_trainer)
    url = reverse("studio:module_add", args=[course_a.pk])
    response = client.post(url, {"module-title": "   "})
    assert 'id="id_module-title-error"' in response.content.decode()
    response = client.post(url, {"module-title": "Wrap-up"})
    assert response.status_code == 302
    assert course_a.modules.order_by("position").last().title == "Wrap-up"


def test_rename_module(world, course_a, client_for):
    module = course_a.modules.get(key="basics")
    client_for(world.a_trainer).post(
        reverse("studio:module_rename", args=[course_a.pk, module.pk]), {"title": "Foundations"}
    )
    module.refresh_from_db()
    assert module.title == "Foundations"


def test_move_buttons_reorder_modules_and_lessons(world, course_a, client_for):
    client = client_for(world.a_trainer)
    practice = course_a.modules.get(key="practice")
    client.post(reverse("studio:module_move", args=[course_a.pk, practice.pk]), {"direction": "up"})
    assert list(course_a.modules.values_list("key", flat=True)) == ["practice", "basics"]
    history = course_a.lessons.get(key="history")
    client.post(reverse("studio:lesson_move", args=[course_a.pk, history.pk]), {"direction": "up"})
    assert list(
        Lesson.objects.filter(module__key="basics", course=course_a).values_list("key", flat=True)
    ) == ["history", "what-is-ai"]


def test_outline_offers_move_buttons_as_forms(world, course_a, client_for):
    page = (
        client_for(world.a_trainer)
        .get(reverse("studio:outline", args=[course_a.pk]))
        .content.decode()
    )
    assert 'name="direction" value="up"' in page and 'name="direction" value="down"' in page
    assert 'Move down<span class="usa-sr-only">: Basics</span>' in page
    assert 'Move up<span class="usa-sr-only">: Basics</span>' not in page  # already first


def test_delete_module_asks_for_confirmation_first(world, course_a, client_for):
    client = client_for(world.a_trainer)
    module = course_a.modules.get(key="basics")
    url = reverse("studio:module_delete", args=[course_a.pk, module.pk])
    assert "Yes, delete “Basics”" in client.get(url).content.decode()
    assert Module.objects.filter(pk=module.pk).exists()
    client.post(url)
    assert not Module.objects.filter(pk=module.pk).exists()


def test_add_and_delete_lesson(world, course_a, client_for):
    client = client_for(world.a_trainer)
    module = course_a.modules.get(key="practice")
    response = client.post(
        reverse("studio:lesson_add", args=[course_a.pk, module.pk]),
        {"title": "Review", "estimated_minutes": "3", "body": "Look back."},
    )
    lesson = Lesson.objects.get(course=course_a, title="Review")
    assert response["Location"] == reverse("studio:lesson_edit", args=[course_a.pk, lesson.pk])
    url = reverse("studio:lesson_delete", args=[course_a.pk, lesson.pk])
    assert "Yes, delete “Review”" in client.get(url).content.decode()
    client.post(url)
    assert not Lesson.objects.filter(pk=lesson.pk).exists()


def test_add_lesson_with_video_but_no_transcript_keeps_input(world, course_a, client_for):
    module = course_a.modules.get(key="practice")
    response = client_for(world.a_trainer).post(
        reverse("studio:lesson_add", args=[course_a.pk, module.pk]),
        {
            "title": "Watch",
            "estimated_minutes": "3",
            "body": "My *careful* words",
            "video_url": "https://player.vimeo.com/video/1",
        },
    )
    page = response.content.decode()
    assert "A lesson with a video needs a transcript." in page
    assert "My *careful* words" in page
    assert not Lesson.objects.filter(title="Watch").exists()


def test_outline_query_count_does_not_grow_with_content(
    world, client_for, django_assert_num_queries
):
    trainer = world.a_trainer
    course = services.course_create(actor=trainer, agency=world.a, title="Big", slug="big")
    for m in range(12):
        module = services.module_create(actor=trainer, course=course, title=f"Module {m}")
        for n in range(6):
            services.lesson_create(
                actor=trainer, module=module, title=f"Lesson {m}.{n}", body="Text"
            )
        if m % 2:
            quiz = services.quiz_create(
                actor=trainer,
                course=course,
                module=module,
                title=f"Quiz {m}",
                questions_per_attempt=1,
            )
            services.question_create(
                actor=trainer,
                quiz=quiz,
                type="true_false",
                prompt="Q",
                choices=[{"text": "True", "is_correct": True}, {"text": "False"}],
            )
    client = client_for(trainer)
    # Warm up: the first request after sign-in saves the session.
    client.get(reverse("studio:outline", args=[course.pk]))
    # user, course, modules, lessons, live-session steps, quizzes, practice tasks (session and
    # membership: from the cache).
    with django_assert_num_queries(7):
        response = client.get(reverse("studio:outline", args=[course.pk]))
    assert response.content.decode().count(">Lesson 11.5</a>") == 1
