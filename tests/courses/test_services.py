"""Authoring, publishing, versions and permissions, all through the services."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from agencies.models import AuditEvent
from courses import services
from courses.access import access_course_for_edit
from courses.models import Course, CourseVersion, Lesson, QuestionType, Status
from tests.builders import build_course

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
    b"\x00\x1f\x15\xc4\x89"
)


@pytest.fixture
def draft(world):
    return build_course(world.a_trainer, world.a)


def test_trainer_creates_a_course_owned_by_their_agency(world):
    course = services.course_create(
        actor=world.a_trainer, agency=world.a, title="T", slug="t", topics=["ai-basics", "privacy"]
    )
    assert course.owner == world.a and course.status == Status.DRAFT
    assert course.visibility == "owner"
    assert sorted(course.topics.values_list("slug", flat=True)) == ["ai-basics", "privacy"]
    assert AuditEvent.objects.filter(action="course.create", outcome="success").exists()


@pytest.mark.parametrize("who", ["a_learner", "a_manager", "b_admin"])
def test_non_trainers_and_other_agencies_cannot_create_courses(world, who):
    with pytest.raises(ValidationError):
        services.course_create(actor=getattr(world, who), agency=world.a, title="T", slug="t")
    assert not Course.objects.exists()


def test_only_platform_admins_create_platform_courses(world):
    with pytest.raises(ValidationError):
        services.course_create(actor=world.a_admin, agency=None, title="T", slug="t")
    course = services.course_create(actor=world.platform_admin, agency=None, title="T", slug="t")
    assert course.owner is None and course.visibility == "all"


def test_platform_admin_cannot_edit_agency_course_and_trainer_cannot_edit_platform(world, draft):
    with pytest.raises(ValidationError):
        services.module_create(actor=world.platform_admin, course=draft, title="X")
    platform = services.course_create(actor=world.platform_admin, agency=None, title="P", slug="p")
    with pytest.raises(ValidationError):
        services.module_create(actor=world.a_trainer, course=platform, title="X")


def test_course_update_with_stale_revision_is_refused(world, draft):
    revision = draft.draft_revision
    updated = services.course_update(
        actor=world.a_trainer,
        course=draft,
        expected_revision=revision,
        title="New title",
        topics=["x-topic"],
    )
    assert updated.title == "New title" and updated.draft_revision == revision + 1
    with pytest.raises(ValidationError, match="changed by someone else"):
        services.course_update(
            actor=world.a_admin, course=draft, expected_revision=revision, title="Clobber"
        )
    assert Course.objects.get(pk=draft.pk).title == "New title"


def test_lesson_update_with_stale_revision_is_refused(world, draft):
    lesson = Lesson.objects.get(course=draft, key="history")
    services.lesson_update(actor=world.a_trainer, lesson=lesson, expected_revision=1, body="v2")
    with pytest.raises(ValidationError, match="changed by someone else"):
        services.lesson_update(
            actor=world.a_admin, lesson=lesson, expected_revision=1, body="lost update"
        )
    assert Lesson.objects.get(pk=lesson.pk).body == "v2"


def test_lesson_objectives_are_trimmed_one_line_each_and_checked_on_publish(world, draft):
    from courses.services.content import content_problems, draft_content

    lesson = Lesson.objects.get(course=draft, key="history")
    services.lesson_update(
        actor=world.a_trainer,
        lesson=lesson,
        expected_revision=lesson.revision,
        objectives=["  Find the schedule ", "", "Keep the record"],
    )
    lesson.refresh_from_db()
    assert lesson.objectives == ["Find the schedule", "Keep the record"]
    with pytest.raises(ValidationError, match="line of its own"):
        services.lesson_update(
            actor=world.a_trainer,
            lesson=lesson,
            expected_revision=lesson.revision,
            objectives=["two\nlines"],
        )
    content = draft_content(draft)
    content["modules"][0]["lessons"][0]["objectives"] = ["two\nlines"]
    assert any(p.path.endswith(".objectives") for p in content_problems(content))


def test_lesson_with_video_needs_transcript(world, draft):
    module = draft.modules.first()
    with pytest.raises(ValidationError, match="transcript"):
        services.lesson_create(
            actor=world.a_trainer,
            module=module,
            title="Video",
            body="x",
            video_url="https://player.vimeo.com/video/1",
        )


def test_modules_and_lessons_move_up_and_down(world, draft):
    basics, practice = draft.modules.all()
    services.module_move(actor=world.a_trainer, module=practice, direction="up")
    assert list(draft.modules.values_list("key", flat=True)) == ["practice", "basics"]
    lesson = Lesson.objects.get(course=draft, key="history")
    services.lesson_move(actor=world.a_trainer, lesson=lesson, direction="up")
    assert list(basics.lessons.values_list("key", flat=True)) == ["history", "what-is-ai"]
    services.lesson_move(actor=world.a_trainer, lesson=lesson, to_module=practice)
    assert list(practice.lessons.values_list("key", flat=True)) == ["prompts", "history"]


def test_publish_freezes_a_numbered_version_with_rendered_html(world, draft):
    version = services.course_publish(actor=world.a_trainer, course=draft)
    draft.refresh_from_db()
    assert version.number == 1 and draft.current_version == version
    assert draft.status == Status.PUBLISHED
    lesson = version.snapshot["modules"][0]["lessons"][0]
    assert lesson["key"] == "what-is-ai" and "<em>learns</em>" in lesson["html"]
    question = version.snapshot["modules"][1]["quiz"]["questions"][0]
    assert question["prompt_html"] == "<p>Pick <strong>A</strong></p>"
    assert version.published_by == world.a_trainer
    assert AuditEvent.objects.filter(action="course.publish", outcome="success").exists()


def test_later_edits_stay_in_the_draft_until_the_next_publish(world, draft):
    v1 = services.course_publish(actor=world.a_trainer, course=draft)
    lesson = Lesson.objects.get(course=draft, key="history")
    services.lesson_update(
        actor=world.a_trainer, lesson=lesson, expected_revision=1, body="Changed history"
    )
    v1.refresh_from_db()
    assert v1.snapshot["modules"][0]["lessons"][1]["body"] == "Some **history**."
    v2 = services.course_publish(actor=world.a_trainer, course=draft)
    assert v2.number == 2
    assert v2.snapshot["modules"][0]["lessons"][1]["key"] == "history"


def test_publish_refuses_an_invalid_draft_with_every_reason(world, draft):
    services.module_create(actor=world.a_trainer, course=draft, title="Empty one")
    quiz = draft.quizzes.get()
    services.quiz_update(actor=world.a_trainer, quiz=quiz, questions_per_attempt=9)
    services.question_create(
        actor=world.a_trainer,
        quiz=quiz,
        key="q-none",
        type=QuestionType.SINGLE,
        prompt="No right answer",
        choices=[{"text": "A"}, {"text": "B"}],
    )
    services.question_create(
        actor=world.a_trainer,
        quiz=quiz,
        key="q-tf-bad",
        type=QuestionType.TRUE_FALSE,
        prompt="Three choices",
        choices=[{"text": "T", "is_correct": True}, {"text": "F"}, {"text": "Maybe"}],
    )
    lesson = Lesson.objects.get(course=draft, key="history")
    services.lesson_update(actor=world.a_trainer, lesson=lesson, expected_revision=1, body=" ")
    with pytest.raises(ValidationError) as refused:
        services.course_publish(actor=world.a_trainer, course=draft)
    messages = "\n".join(refused.value.messages)
    assert "The module “Empty one” is empty. Add a lesson or a quiz to it" in messages
    assert "The quiz “Check” asks 9 questions per attempt but has only 5 questions." in messages
    assert "“No right answer” in the quiz “Check” has no correct answer" in messages
    assert "(True or false) needs 2 choices; it has 3" in messages
    assert "The lesson “History” has no text yet" in messages
    # The plain messages keep their machine-readable path into the content.
    paths = {p.path for p in refused.value.problems}
    assert {
        "modules[0].lessons[1].body",
        "modules[1].quiz.questions_per_attempt",
        "modules[1].quiz.questions[3].choices",
        "modules[2]",
    } <= paths
    assert not CourseVersion.objects.exists()
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    assert AuditEvent.objects.filter(action="course.publish", outcome="rejected").exists()


def test_single_choice_with_two_correct_answers_is_refused(world, draft):
    quiz = draft.quizzes.get()
    services.question_create(
        actor=world.a_trainer,
        quiz=quiz,
        key="q-two-right",
        type=QuestionType.SINGLE,
        prompt="?",
        choices=[{"text": "A", "is_correct": True}, {"text": "B", "is_correct": True}],
    )
    problems = services.course_publish_problems(draft)
    assert any("must have exactly one correct answer; it has 2" in p.message for p in problems)


def test_xss_in_every_markdown_field_is_neutralised_in_the_version(world, draft):
    payload = "<script>alert(1)</script>[x](javascript:alert(1))<img src=x onerror=alert(1)>"
    lesson = Lesson.objects.get(course=draft, key="history")
    services.lesson_update(actor=world.a_trainer, lesson=lesson, expected_revision=1, body=payload)
    question = draft.questions.get(key="q-one")
    services.question_update(
        actor=world.a_trainer, question=question, prompt=payload, explanation=payload
    )
    version = services.course_publish(actor=world.a_trainer, course=draft)
    rendered = [
        version.snapshot["modules"][0]["lessons"][1]["html"],
        version.snapshot["modules"][1]["quiz"]["questions"][0]["prompt_html"],
        version.snapshot["modules"][1]["quiz"]["questions"][0]["explanation_html"],
    ]
    for html in rendered:
        assert "<script" not in html and "<img" not in html and "javascript:" not in html


def test_version_diff_lists_lessons_and_questions_by_key(world, draft):
    v1 = services.course_publish(actor=world.a_trainer, course=draft)
    services.lesson_delete(actor=world.a_trainer, lesson=Lesson.objects.get(key="history"))
    services.lesson_create(
        actor=world.a_trainer,
        module=draft.modules.first(),
        title="Ethics",
        key="ethics",
        body="Be fair.",
    )
    services.lesson_update(
        actor=world.a_trainer,
        lesson=Lesson.objects.get(key="prompts"),
        expected_revision=1,
        body="Write *clearer* prompts.",
    )
    services.question_update(
        actor=world.a_trainer,
        question=draft.questions.get(key="q-one"),
        choices=[{"text": "A", "is_correct": False}, {"text": "B", "is_correct": True}],
    )
    v2 = services.course_publish(actor=world.a_trainer, course=draft)
    diff = services.course_version_diff(v1, v2)
    assert [x["key"] for x in diff["lessons"]["added"]] == ["ethics"]
    assert [x["key"] for x in diff["lessons"]["removed"]] == ["history"]
    assert diff["lessons"]["changed"] == [
        {"key": "prompts", "title": "Prompts", "fields": ["body"]}
    ]
    assert [x["key"] for x in diff["questions"]["changed"]] == ["q-one"]
    assert diff["questions"]["changed"][0]["fields"] == ["choices"]


def test_restore_copies_an_old_version_back_into_the_draft(world, draft):
    v1 = services.course_publish(actor=world.a_trainer, course=draft)
    services.lesson_delete(actor=world.a_trainer, lesson=Lesson.objects.get(key="history"))
    services.course_publish(actor=world.a_trainer, course=draft)
    services.course_restore_version(actor=world.a_trainer, course=draft, version=v1)
    assert Lesson.objects.filter(course=draft, key="history").exists()
    v3 = services.course_publish(actor=world.a_trainer, course=draft)
    assert v3.content_hash == v1.content_hash
    assert AuditEvent.objects.filter(action="course.restore", outcome="success").exists()


def test_archive_and_unarchive(world, draft):
    services.course_publish(actor=world.a_trainer, course=draft)
    archived = services.course_archive(actor=world.a_trainer, course=draft)
    assert archived.status == Status.ARCHIVED and archived.current_version_id
    with pytest.raises(ValidationError):
        services.course_publish(actor=world.a_trainer, course=archived)
    restored = services.course_unarchive(actor=world.a_trainer, course=archived)
    assert restored.status == Status.PUBLISHED
    assert AuditEvent.objects.filter(action="course.archive").exists()


def test_other_agency_trainer_gets_404_and_services_refuse(world, draft):
    with pytest.raises(Http404):
        access_course_for_edit(world.b_admin, draft.pk)
    with pytest.raises(Http404):
        access_course_for_edit(world.a_learner, draft.pk)
    with pytest.raises(Http404):
        access_course_for_edit(world.a_trainer, 999999)
    assert access_course_for_edit(world.a_admin, draft.pk) == draft
    with pytest.raises(ValidationError):
        services.course_publish(actor=world.b_admin, course=draft)
    with pytest.raises(ValidationError):
        services.course_archive(actor=world.b_admin, course=draft)


def test_attachment_type_and_size_are_checked(world, draft, settings):
    lesson = Lesson.objects.get(course=draft, key="history")
    attachment = services.attachment_add(
        actor=world.a_trainer,
        lesson=lesson,
        upload=SimpleUploadedFile("chart.png", PNG, content_type="image/png"),
    )
    assert attachment.content_type == "image/png" and attachment.size == len(PNG)
    with pytest.raises(ValidationError, match="cannot be attached"):
        services.attachment_add(
            actor=world.a_trainer,
            lesson=lesson,
            upload=SimpleUploadedFile("evil.html", b"<script>"),
        )
    with pytest.raises(ValidationError, match="does not look like"):
        services.attachment_add(
            actor=world.a_trainer,
            lesson=lesson,
            upload=SimpleUploadedFile("fake.png", b"<svg onload=x>"),
        )
    settings.ACADEMY_ATTACHMENT_MAX_BYTES = 10
    with pytest.raises(ValidationError, match="too large"):
        services.attachment_add(
            actor=world.a_trainer, lesson=lesson, upload=SimpleUploadedFile("big.png", PNG)
        )


def test_publish_runs_a_bounded_number_of_queries(world, draft, django_assert_num_queries):
    for n in range(10):
        services.lesson_create(
            actor=world.a_trainer, module=draft.modules.first(), title=f"Extra {n}", body="x"
        )
    # 21: two are ehri's (the publish check asking whether the owner reports to OPM, and the
    # version_published hook reading the owner's coding to freeze it with the version), one
    # reads the draft's live-session steps, one its practice tasks.
    with django_assert_num_queries(21):
        services.course_publish(actor=world.a_trainer, course=draft)


def test_new_choice_without_key_never_takes_a_kept_choice_key(world):
    course = build_course(world.a_trainer, world.a)
    question = course.questions.get(key="q-one")  # choices c1 (A) and c2 (B)
    services.question_update(
        actor=world.a_trainer,
        question=question,
        choices=[
            {"text": "B", "key": "c2", "is_correct": False},
            {"text": "New", "is_correct": True},
        ],
    )
    assert sorted(question.choices.values_list("key", "text")) == [("c1", "New"), ("c2", "B")]


def test_restoring_a_version_marks_the_draft_changed(world):
    course = build_course(world.a_trainer, world.a, publish=True)
    course.refresh_from_db()
    before = course.draft_updated_at
    services.course_restore_version(
        actor=world.a_trainer, course=course, version=course.current_version
    )
    course.refresh_from_db()
    assert course.draft_updated_at > before


def test_published_lesson_links_its_attachments_to_the_file_view(world, draft, client_for):
    from learning import services as learning

    lesson = Lesson.objects.get(course=draft, key="history")
    services.attachment_add(
        actor=world.a_trainer,
        lesson=lesson,
        upload=SimpleUploadedFile("chart.png", PNG, content_type="image/png"),
    )
    lesson.refresh_from_db()
    services.lesson_update(
        actor=world.a_trainer,
        lesson=lesson,
        expected_revision=lesson.revision,
        body=(
            "![Sales chart](chart.png)\n\n[Download](files/history/chart.png)\n\n"
            "![Pixel](https://tracker.example/p.gif) ![Other](other.png)"
        ),
    )
    version = services.course_publish(actor=world.a_trainer, course=draft)

    attachment = Lesson.objects.get(pk=lesson.pk).attachments.get()
    url = f"/learn/{draft.slug}/files/{attachment.sha256}/chart.png"
    (snap,) = [
        le for m in version.snapshot["modules"] for le in m["lessons"] if le["key"] == "history"
    ]
    # The version keeps the references as written: files are private, so the page showing the
    # lesson links them to its own access-checked view (tests/courses/test_files.py).
    assert 'src="chart.png"' in snap["html"] and 'href="files/history/chart.png"' in snap["html"]
    assert "url" not in snap["attachments"][0]
    # Images that are not the lesson's attachments never load (settings.ACADEMY_IMAGE_HOSTS).
    assert snap["html"].count("<img") == 1 and "<span>Other</span>" in snap["html"]
    assert (
        '<a href="https://tracker.example/p.gif" rel="noopener noreferrer">Pixel</a>'
        in (snap["html"])
    )
    # The learner's lesson page shows the image and offers the file for download.
    learning.enrollment_create(user=world.a_learner, course=draft)
    page = client_for(world.a_learner).get(f"/learn/{draft.slug}/lessons/history/")
    assert f'href="{url}" download'.encode() in page.content
    assert f'src="{url}"'.encode() in page.content


def test_titles_must_fit_on_one_line(world, draft):
    from django.core.exceptions import ValidationError

    lesson = Lesson.objects.get(course=draft, key="history")
    module = lesson.module
    refusals = [
        lambda: services.course_create(
            actor=world.a_trainer, agency=world.a, title="Two\nlines", slug="two-lines"
        ),
        lambda: services.course_update(
            actor=world.a_trainer,
            course=draft,
            expected_revision=draft.draft_revision,
            title="Two\rlines",
        ),
        lambda: services.module_create(actor=world.a_trainer, course=draft, title="A\nB"),
        lambda: services.module_rename(actor=world.a_trainer, module=module, title="A\nB"),
        lambda: services.lesson_create(actor=world.a_trainer, module=module, title="A\nB"),
        lambda: services.lesson_update(
            actor=world.a_trainer, lesson=lesson, expected_revision=lesson.revision, title="A\nB"
        ),
        lambda: services.quiz_create(actor=world.a_trainer, course=draft, title="A\nB"),
    ]
    for refused in refusals:
        with pytest.raises(ValidationError, match="must fit on one line"):
            refused()
    # A line break at either end is only trimmed.
    assert services.module_create(actor=world.a_trainer, course=draft, title="Last\n").title == (
        "Last"
    )
