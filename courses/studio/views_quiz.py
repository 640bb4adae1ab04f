"""Studio: quizzes (settings) and their questions with choices."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from .. import services
from ..models import Quiz
from ..selectors import lesson_objectives
from .access import access_module, access_question, access_quiz, course_view
from .common import apply_service
from .forms import CHOICE_ROWS, QuestionForm, QuizForm

END_OF_COURSE = "end"


def _places(course):
    """Modules that have no quiz yet, and the end of the course if it has none."""
    taken = set(Quiz.objects.filter(course=course).values_list("module_id", flat=True))
    places = [
        (str(m.pk), _("End of module “%(title)s”") % {"title": m.title})
        for m in course.modules.all()
        if m.pk not in taken
    ]
    if None not in taken:
        places.append((END_OF_COURSE, _("End of the course")))
    return places


@course_view
def quiz_add(request, course):
    places = _places(course)
    initial = {"place": request.GET.get("module") or END_OF_COURSE}
    form = QuizForm(request.POST or None, places=places, initial=initial)
    if request.method == "POST" and form.is_valid():
        place = form.cleaned_data["place"]
        module = None if place == END_OF_COURSE else access_module(course, place)
        quiz = apply_service(
            form,
            lambda: services.quiz_create(
                actor=request.user, course=course, module=module, **form.service_fields()
            ),
        )
        if quiz:
            messages.success(request, _("Quiz added. Now add its questions."))
            return redirect("studio:quiz_edit", course.pk, quiz.pk)
    return render(
        request, "courses/studio/quiz_add.html", {"course": course, "form": form, "places": places}
    )


@course_view
def quiz_edit(request, course, quiz_id):
    quiz = access_quiz(course, quiz_id)
    initial = {f: getattr(quiz, f) for f in ["title", *QuizForm.SETTINGS]}
    form = QuizForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        if apply_service(
            form,
            lambda: services.quiz_update(actor=request.user, quiz=quiz, **form.service_fields()),
        ):
            messages.success(request, _("Quiz settings saved."))
            return redirect("studio:quiz_edit", course.pk, quiz.pk)
    questions = list(quiz.questions.prefetch_related("choices"))
    return render(
        request,
        "courses/studio/quiz_edit.html",
        {"course": course, "quiz": quiz, "form": form, "questions": questions},
    )


@course_view
def quiz_delete(request, course, quiz_id):
    quiz = access_quiz(course, quiz_id)
    if request.method == "POST":
        services.quiz_delete(actor=request.user, quiz=quiz)
        messages.success(request, _("Quiz “%(title)s” deleted.") % {"title": quiz.title})
        return redirect("studio:outline", course.pk)
    return render(
        request,
        "courses/studio/confirm_delete.html",
        {
            "course": course,
            "thing": quiz.title,
            "heading": _("Delete the quiz “%(title)s”?") % {"title": quiz.title},
            "warning": _(
                "Its questions leave the draft too. Published versions keep them until "
                "you publish again."
            ),
        },
    )


@course_view
def question_add(request, course, quiz_id):
    quiz = access_quiz(course, quiz_id)
    form = QuestionForm(
        request.POST or None, language=course.language, objectives=lesson_objectives(course)
    )
    if request.method == "POST" and form.is_valid():
        if apply_service(
            form,
            lambda: services.question_create(
                actor=request.user, quiz=quiz, draw_follows_pool=True, **form.service_fields()
            ),
        ):
            messages.success(request, _("Question added."))
            if request.POST.get("action") == "add_another":
                return redirect("studio:question_add", course.pk, quiz.pk)
            return redirect("studio:quiz_edit", course.pk, quiz.pk)
    return render(
        request,
        "courses/studio/question_form.html",
        {"course": course, "quiz": quiz, "form": form, "question": None},
    )


@course_view
def question_edit(request, course, question_id):
    question = access_question(course, question_id)
    rows = max(CHOICE_ROWS, question.choices.count())
    form = QuestionForm(
        request.POST or None,
        rows=rows,
        language=course.language,
        objectives=lesson_objectives(course),
        initial=QuestionForm.initial_for(question, course.language),
    )
    if request.method == "POST" and form.is_valid():
        if apply_service(
            form,
            lambda: services.question_update(
                actor=request.user, question=question, **form.service_fields()
            ),
        ):
            messages.success(request, _("Question saved."))
            return redirect("studio:quiz_edit", course.pk, question.quiz_id)
    return render(
        request,
        "courses/studio/question_form.html",
        {"course": course, "quiz": question.quiz, "form": form, "question": question},
    )


@course_view
def question_delete(request, course, question_id):
    question = access_question(course, question_id)
    if request.method == "POST":
        services.question_delete(actor=request.user, question=question, draw_follows_pool=True)
        messages.success(request, _("Question deleted."))
        return redirect("studio:quiz_edit", course.pk, question.quiz_id)
    return render(
        request,
        "courses/studio/confirm_delete.html",
        {
            "course": course,
            "thing": question.prompt[:80],
            "heading": _("Delete this question?"),
            "warning": _("“%(prompt)s” leaves the quiz's pool in the draft.")
            % {"prompt": question.prompt[:80]},
        },
    )
