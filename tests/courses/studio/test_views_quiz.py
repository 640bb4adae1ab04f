"""Quizzes and questions in the studio, and the learner preview that hides the answers."""

from django.urls import reverse

from courses import services
from courses.models import Question, Quiz


def question_data(**overrides):
    data = {
        "type": "single",
        "prompt": "Which is a prompt?",
        "explanation": "Because.",
        "choice_1_text": "Write clearly",
        "choice_1_correct": "on",
        "choice_1_feedback": "Yes!",
        "choice_2_text": "Shout",
        "choice_2_feedback": "No.",
        "action": "save",
    }
    return {**data, **overrides}


def test_add_quiz_to_a_module_then_edit_settings(world, course_a, client_for):
    client = client_for(world.a_trainer)
    basics = course_a.modules.get(key="basics")
    add = reverse("studio:quiz_add", args=[course_a.pk])
    page = client.get(add, {"module": basics.pk}).content.decode()
    assert f'<option value="{basics.pk}" selected>' in page
    response = client.post(
        add,
        {
            "place": str(basics.pk),
            "title": "Basics check",
            "pass_mark": "70",
            "max_attempts": "0",
            "questions_per_attempt": "1",
            "shuffle_questions": "on",
            "show_answers": "after_pass",
        },
    )
    quiz = Quiz.objects.get(course=course_a, module=basics)
    assert response["Location"] == reverse("studio:quiz_edit", args=[course_a.pk, quiz.pk])
    assert quiz.pass_mark == 70 and quiz.shuffle_choices is False
    client.post(
        reverse("studio:quiz_edit", args=[course_a.pk, quiz.pk]),
        {
            "title": "Basics check",
            "pass_mark": "150",
            "max_attempts": "0",
            "questions_per_attempt": "1",
            "show_answers": "after_pass",
        },
    )
    quiz.refresh_from_db()
    assert quiz.pass_mark == 70


def test_add_question_ignores_blank_rows(world, course_a, client_for):
    quiz = course_a.quizzes.get()
    response = client_for(world.a_trainer).post(
        reverse("studio:question_add", args=[course_a.pk, quiz.pk]), question_data()
    )
    assert response.status_code == 302
    question = quiz.questions.get(prompt="Which is a prompt?")
    choices = list(question.choices.values_list("text", "is_correct", "feedback"))
    assert choices == [("Write clearly", True, "Yes!"), ("Shout", False, "No.")]


def test_question_errors_keep_what_was_typed(world, course_a, client_for):
    quiz = course_a.quizzes.get()
    before = quiz.questions.count()
    response = client_for(world.a_trainer).post(
        reverse("studio:question_add", args=[course_a.pk, quiz.pk]),
        question_data(choice_3_feedback="Orphan feedback"),
    )
    page = response.content.decode()
    assert 'id="id_choice_3_text-error"' in page
    assert "Orphan feedback" in page and "Which is a prompt?" in page and "Write clearly" in page
    assert quiz.questions.count() == before
    response = client_for(world.a_trainer).post(
        reverse("studio:question_add", args=[course_a.pk, quiz.pk]),
        question_data(type="true_false", choice_2_correct="on"),
    )
    assert "exactly one correct choice" in response.content.decode()
    response = client_for(world.a_trainer).post(
        reverse("studio:question_add", args=[course_a.pk, quiz.pk]),
        question_data(choice_1_correct=""),
    )
    assert "Mark at least one choice as correct." in response.content.decode()
    assert quiz.questions.count() == before


def test_edit_question_keeps_choice_keys(world, course_a, client_for):
    question = Question.objects.get(course=course_a, key="q-two")
    client = client_for(world.a_trainer)
    url = reverse("studio:question_edit", args=[course_a.pk, question.pk])
    initial = client.get(url).context["form"].initial
    data = {k: v for k, v in initial.items() if v not in (False, None)}
    data.update(
        {
            "choice_2_text": "",
            "choice_2_correct": "",
            "choice_4_text": "D",
            "choice_4_correct": "on",
            "action": "save",
        }
    )
    data = {k: ("on" if v is True else v) for k, v in data.items()}
    response = client.post(url, data)
    assert response.status_code == 302
    keys = list(question.choices.values_list("key", "text", "is_correct"))
    assert keys == [("c1", "A", True), ("c3", "C", True), ("c2", "D", True)]


def test_delete_question_and_quiz_after_confirmation(world, course_a, client_for):
    client = client_for(world.a_trainer)
    quiz = course_a.quizzes.get()
    question = quiz.questions.first()
    url = reverse("studio:question_delete", args=[course_a.pk, question.pk])
    assert "Yes, delete" in client.get(url).content.decode()
    client.post(url)
    assert not Question.objects.filter(pk=question.pk).exists()
    client.post(reverse("studio:quiz_delete", args=[course_a.pk, quiz.pk]))
    assert not Quiz.objects.filter(pk=quiz.pk).exists()


def test_learner_preview_renders_the_draft_and_hides_answers(world, course_a, client_for):
    question = Question.objects.get(course=course_a, key="q-one")
    services.question_update(
        actor=world.a_trainer,
        question=question,
        choices=[
            {"text": "Alpha", "is_correct": True, "feedback": "SECRET-FEEDBACK"},
            {"text": "Beta"},
        ],
    )
    services.question_update(
        actor=world.a_trainer, question=question, explanation="SECRET-EXPLANATION"
    )
    lesson = course_a.lessons.get(key="history")
    services.lesson_update(
        actor=world.a_trainer,
        lesson=lesson,
        expected_revision=1,
        body="Draft **only** <script>x()</script>",
    )
    client = client_for(world.a_trainer)
    page = client.get(reverse("studio:course_preview", args=[course_a.pk])).content.decode()
    assert "Draft <strong>only</strong>" in page and "<script>x()" not in page
    assert "Alpha" in page and "Beta" in page
    assert "SECRET-FEEDBACK" not in page and "SECRET-EXPLANATION" not in page
    assert "Correct" not in page
    assert page.count("<h1") == 1
    key = client.get(reverse("studio:answer_key", args=[course_a.pk])).content.decode()
    assert "SECRET-FEEDBACK" in key and "SECRET-EXPLANATION" in key and "Correct" in key


def test_preview_query_count_is_bounded(world, course_a, client_for, django_assert_num_queries):
    client = client_for(world.a_trainer)
    # Warm up: the first request after sign-in saves the session.
    client.get(reverse("studio:course_preview", args=[course_a.pk]))
    # 11 since the draft's live-session steps and its practice tasks are read (a query each).
    with django_assert_num_queries(11):
        client.get(reverse("studio:course_preview", args=[course_a.pk]))


def test_a_new_quiz_asks_every_question_as_its_pool_grows(world, client_for):
    course = services.course_create(
        actor=world.a_trainer, agency=world.a, title="Short", slug="short"
    )
    module = services.module_create(actor=world.a_trainer, course=course, title="One")
    client = client_for(world.a_trainer)
    client.post(
        reverse("studio:quiz_add", args=[course.pk]),
        {
            "place": str(module.pk),
            "title": "Check",
            "pass_mark": "80",
            "max_attempts": "0",
            "questions_per_attempt": "",  # empty: ask every question
            "show_answers": "after_attempt",
        },
    )
    quiz = Quiz.objects.get(course=course)
    assert quiz.questions_per_attempt == 1
    add = reverse("studio:question_add", args=[course.pk, quiz.pk])
    for n in range(3):
        client.post(add, question_data(prompt=f"Question {n}"))
    quiz.refresh_from_db()
    assert quiz.questions_per_attempt == 3
    assert not any(
        "questions per attempt" in p.message for p in services.course_publish_problems(course)
    )

    # A draw the trainer chose below the pool stays; deleting below it shrinks it.
    services.quiz_update(actor=world.a_trainer, quiz=quiz, questions_per_attempt=2)
    client.post(add, question_data(prompt="Question 4"))
    quiz.refresh_from_db()
    assert quiz.questions_per_attempt == 2
    for question in list(quiz.questions.all())[:3]:
        client.post(reverse("studio:question_delete", args=[course.pk, question.pk]))
    quiz.refresh_from_db()
    assert quiz.questions.count() == 1 and quiz.questions_per_attempt == 1


def test_true_false_choices_are_made_for_the_trainer_in_the_course_language(
    world, course_a, client_for
):
    quiz = course_a.quizzes.get()
    add = reverse("studio:question_add", args=[course_a.pk, quiz.pk])
    client = client_for(world.a_trainer)
    page = client.get(add).content.decode()
    assert "For a true-or-false question: the statement is" in page
    response = client.post(
        add,
        {"type": "true_false", "prompt": "Water is wet.", "true_false_answer": "false"},
    )
    assert response.status_code == 302
    question = quiz.questions.get(prompt="Water is wet.")
    assert list(question.choices.values_list("text", "is_correct")) == [
        ("True", False),
        ("False", True),
    ]
    edit = reverse("studio:question_edit", args=[course_a.pk, question.pk])
    assert 'value="false" checked' in client.get(edit).content.decode()

    services.course_update(
        actor=world.a_trainer,
        course=course_a,
        expected_revision=course_a.draft_revision,
        language="fr",
    )
    client.post(
        add, {"type": "true_false", "prompt": "L'eau mouille.", "true_false_answer": "true"}
    )
    question = quiz.questions.get(prompt="L'eau mouille.")
    assert list(question.choices.values_list("text", "is_correct")) == [
        ("Vrai", True),
        ("Faux", False),
    ]
    page = client.post(add, {"type": "true_false", "prompt": "No answer"}).content.decode()
    assert "Choose whether the statement is true or false." in page
