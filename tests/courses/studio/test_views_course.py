"""Course list, settings, publishing, versions, archive, export and import in the studio."""

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from courses import services
from courses.bundles import bundle_export
from courses.models import Course, CourseVersion, Status, Visibility
from tests.builders import build_course


def test_course_list_shows_status_version_and_only_my_agency(world, course_a, course_b, client_for):
    draft = build_course(world.a_trainer, world.a, slug="draft-course", title="Draft course")
    page = client_for(world.a_trainer).get(reverse("studio:course_list")).content.decode()
    assert course_a.title in page and draft.title in page
    assert "Version 1" in page and "Never published" in page
    assert course_b.title not in page


def test_course_list_query_count_is_flat(world, client_for, django_assert_num_queries):
    for n in range(32):
        services.course_create(
            actor=world.a_trainer, agency=world.a, title=f"Course {n}", slug=f"course-{n}"
        )
    client = client_for(world.a_trainer)
    # Warm up: the first request after sign-in saves the session.
    client.get(reverse("studio:course_list"))
    # The user and the courses (owner and version joined), whatever their number: the session
    # and the membership come from the cache, and the session is renewed at most once a minute.
    with django_assert_num_queries(2):
        response = client.get(reverse("studio:course_list"))
    assert response.content.decode().count("/studio/courses/") >= 32


def test_create_course_with_errors_keeps_what_was_typed(world, course_a, client_for):
    client = client_for(world.a_trainer)
    response = client.post(
        reverse("studio:course_create"),
        {
            "title": "Prompting well",
            "slug": course_a.slug,
            "summary": "My careful summary",
            "level": "beginner",
            "language": "en",
            "estimated_minutes": "-3",
            "topics": "prompts",
            "outcomes": "Write a prompt",
            "visibility": "owner",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Another course already uses this web address name." in page
    assert 'id="id_slug-error"' in page and 'id="id_estimated_minutes-error"' in page
    assert "My careful summary" in page and 'value="Prompting well"' in page
    assert not Course.objects.filter(title="Prompting well").exists()


def test_service_refusal_shows_on_form_and_keeps_input(world, client_for):
    response = client_for(world.a_trainer).post(
        reverse("studio:course_create"),
        {
            "title": "Topics",
            "slug": "topics",
            "level": "beginner",
            "language": "en",
            "estimated_minutes": "5",
            "topics": "Not A Slug!",
            "visibility": "owner",
        },
    )
    page = response.content.decode()
    assert "must be lower-case letters" in page and "Not A Slug!" in page
    assert not Course.objects.filter(slug="topics").exists()


def test_trainer_creates_course_in_own_agency(world, client_for):
    response = client_for(world.a_trainer).post(
        reverse("studio:course_create"),
        {
            "title": "Data basics",
            "slug": "",
            "level": "beginner",
            "language": "en",
            "estimated_minutes": "20",
            "topics": "data, ai-basics",
            "outcomes": "Read a chart\nAsk good questions",
            "visibility": "owner",
        },
    )
    course = Course.objects.get(slug="data-basics")
    assert response.status_code == 302
    assert response["Location"] == reverse("studio:outline", args=[course.pk])
    assert course.owner == world.a and course.outcomes == ["Read a chart", "Ask good questions"]
    assert sorted(course.topics.values_list("slug", flat=True)) == ["ai-basics", "data"]


def test_edit_settings_shares_with_chosen_agencies(world, course_a, client_for):
    client = client_for(world.a_trainer)
    form = client.get(reverse("studio:course_edit", args=[course_a.pk])).context["form"]
    data = {
        **form.initial,
        "title": "Intro to AI, revised",
        "visibility": "chosen",
        "shared_with": [world.b.pk],
        "topics": "ai-basics",
        "outcomes": "Explain AI",
    }
    response = client.post(reverse("studio:course_edit", args=[course_a.pk]), data)
    assert response.status_code == 302
    course_a.refresh_from_db()
    assert course_a.title == "Intro to AI, revised"
    assert course_a.visibility == Visibility.CHOSEN
    assert list(course_a.shared_with.all()) == [world.b]


def test_settings_turn_on_lesson_completion_at_the_end(world, course_a, client_for):
    client = client_for(world.a_trainer)
    form = client.get(reverse("studio:course_edit", args=[course_a.pk])).context["form"]
    data = {
        **form.initial,
        "shared_with": [],
        "complete_lessons_at_end": "on",
        "topics": "ai-basics",
        "outcomes": "Explain AI",
    }
    response = client.post(reverse("studio:course_edit", args=[course_a.pk]), data)
    assert response.status_code == 302
    course_a.refresh_from_db()
    assert course_a.complete_lessons_at_end is True


def test_settings_set_the_certificate_validity(world, course_a, client_for):
    client = client_for(world.a_trainer)
    page = client.get(reverse("studio:course_edit", args=[course_a.pk]))
    assert "Certificate validity in months" in page.content.decode()
    data = {
        **page.context["form"].initial,
        "shared_with": [],
        "topics": "ai-basics",
        "outcomes": "Explain AI",
    }
    url = reverse("studio:course_edit", args=[course_a.pk])
    assert client.post(url, {**data, "validity_months": "12"}).status_code == 302
    course_a.refresh_from_db()
    assert course_a.validity_months == 12
    data["revision"] = course_a.draft_revision
    response = client.post(url, {**data, "validity_months": "0"})
    assert response.status_code == 200 and "validity_months" in response.context["form"].errors
    course_a.refresh_from_db()
    assert course_a.validity_months == 12  # bad input changes nothing


def test_stale_settings_form_is_refused_and_keeps_input(world, course_a, client_for):
    client = client_for(world.a_trainer)
    services.course_update(
        actor=world.a_admin,
        course=course_a,
        expected_revision=course_a.draft_revision,
        title="Admin's title",
    )
    response = client.post(
        reverse("studio:course_edit", args=[course_a.pk]),
        {
            "title": "Trainer's title",
            "level": "beginner",
            "language": "en",
            "estimated_minutes": "30",
            "visibility": "owner",
            "revision": "1",
        },
    )
    page = response.content.decode()
    assert "changed by someone else" in page and "Trainer&#x27;s title" in page
    course_a.refresh_from_db()
    assert course_a.title == "Admin's title"


def test_publish_refusal_lists_every_reason_and_changes_nothing(world, client_for):
    course = services.course_create(
        actor=world.a_trainer, agency=world.a, title="Empty", slug="empty"
    )
    module = services.module_create(actor=world.a_trainer, course=course, title="Only module")
    services.lesson_create(actor=world.a_trainer, module=module, title="Blank", key="blank")
    quiz = services.quiz_create(
        actor=world.a_trainer, course=course, title="Final", questions_per_attempt=3
    )
    services.question_create(
        actor=world.a_trainer,
        quiz=quiz,
        type="single",
        prompt="Pick",
        choices=[{"text": "A"}, {"text": "B"}],
    )
    expected = services.course_publish_problems(course)
    assert len(expected) >= 3
    response = client_for(world.a_trainer).post(reverse("studio:course_publish", args=[course.pk]))
    page = response.content.decode()
    assert "Not published" in page
    for problem in expected:
        assert escape(problem.message) in page
    lesson = course.lessons.get()
    lesson_url = reverse("studio:lesson_edit", args=[course.pk, lesson.pk])
    assert f'href="{lesson_url}#id_body">The lesson “Blank” has no text yet.' in page
    assert "has no correct answer. Mark the right choice." in page
    assert "disabled" in page
    course.refresh_from_db()
    assert course.status == Status.DRAFT and course.current_version_id is None
    assert not CourseVersion.objects.filter(course=course).exists()


def test_publish_success_says_the_version_number(world, course_a, client_for):
    client = client_for(world.a_trainer)
    response = client.post(reverse("studio:course_publish", args=[course_a.pk]), follow=True)
    assert "Published version 2." in response.content.decode()
    course_a.refresh_from_db()
    assert course_a.current_version.number == 2


def test_version_history_diff_and_restore(world, course_a, client_for):
    client = client_for(world.a_trainer)
    lesson = course_a.lessons.get(key="history")
    services.lesson_update(
        actor=world.a_trainer,
        lesson=lesson,
        expected_revision=lesson.revision,
        body="New **history**.",
    )
    services.course_publish(actor=world.a_trainer, course=course_a)
    page = client.get(reverse("studio:version_list", args=[course_a.pk])).content.decode()
    assert "Restore version 1" in page and "Restore version 2" in page
    assert escape(str(world.a_trainer)) in page
    diff = client.get(
        reverse("studio:version_diff", args=[course_a.pk]), {"from": 1, "to": 2}
    ).content.decode()
    assert "History" in diff and "body" in diff
    assert (
        client.get(
            reverse("studio:version_diff", args=[course_a.pk]), {"from": 1, "to": 9}
        ).status_code
        == 404
    )
    restore = reverse("studio:version_restore", args=[course_a.pk, 1])
    assert "Yes, restore version 1" in client.get(restore).content.decode()
    response = client.post(restore, follow=True)
    assert "Version 1 was copied into the draft" in response.content.decode()
    assert course_a.lessons.get(key="history").body == "Some **history**."
    course_a.refresh_from_db()
    assert course_a.current_version.number == 2


def test_archive_and_unarchive(world, course_a, client_for):
    client = client_for(world.a_trainer)
    client.post(reverse("studio:course_archive", args=[course_a.pk]))
    course_a.refresh_from_db()
    assert course_a.status == Status.ARCHIVED
    assert client.get(reverse("studio:course_archive", args=[course_a.pk])).status_code == 405
    client.post(reverse("studio:course_unarchive", args=[course_a.pk]))
    course_a.refresh_from_db()
    assert course_a.status == Status.PUBLISHED


def test_export_draft_and_published_version(world, course_a, client_for):
    client = client_for(world.a_trainer)
    url = reverse("studio:course_export", args=[course_a.pk])
    draft = client.get(url, {"source": "draft"})
    assert draft["Content-Type"] == "application/zip"
    assert 'filename="intro-ai-draft.zip"' in draft["Content-Disposition"]
    assert "course.yaml" in zipfile.ZipFile(io.BytesIO(draft.content)).namelist()
    published = client.get(url, {"source": "published"})
    assert 'filename="intro-ai-v1.zip"' in published["Content-Disposition"]


def test_export_published_of_never_published_course_explains(world, client_for):
    course = build_course(world.a_trainer, world.a, slug="unpublished", title="Unpublished")
    response = client_for(world.a_trainer).get(
        reverse("studio:course_export", args=[course.pk]), {"source": "published"}, follow=True
    )
    assert "never been published" in response.content.decode()


def _zip(files: dict) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return SimpleUploadedFile("bundle.zip", buffer.getvalue(), content_type="application/zip")


def test_import_of_bad_bundle_lists_every_problem_and_changes_nothing(world, client_for):
    manifest = (
        "format: academy-course/1\nslug: Bad Slug\ntitle: ''\nlevel: expert\n"
        "language: en\nmodules: []\n"
    )
    before = Course.objects.count()
    response = client_for(world.a_trainer).post(
        reverse("studio:course_import"), {"bundle": _zip({"course.yaml": manifest})}
    )
    page = response.content.decode()
    assert "Nothing was imported" in page
    assert page.count("<li>course.yaml") >= 3
    assert Course.objects.count() == before


def test_import_refuses_a_file_that_is_not_a_zip(world, client_for):
    response = client_for(world.a_trainer).post(
        reverse("studio:course_import"), {"bundle": SimpleUploadedFile("notes.txt", b"hello")}
    )
    assert "Choose a .zip file." in response.content.decode()


def test_import_round_trip_creates_a_draft_in_my_agency(world, course_b, client_for):
    upload = SimpleUploadedFile("b.zip", bundle_export(course_b, draft=True))
    # Free the slug so the bundle makes a new course (a taken slug of another agency is refused).
    Course.objects.filter(pk=course_b.pk).update(slug="b-course-original")
    response = client_for(world.a_trainer).post(reverse("studio:course_import"), {"bundle": upload})
    course = Course.objects.get(slug="b-course")
    assert response.status_code == 302
    assert course.owner == world.a and course.status == Status.DRAFT
    assert course.lessons.count() == 3 and course.questions.count() == 3


def test_platform_admin_creates_a_platform_course(world, client_for):
    client = client_for(world.platform_admin)
    data = {
        "title": "For everyone",
        "slug": "for-everyone",
        "level": "beginner",
        "language": "en",
        "estimated_minutes": "10",
        "visibility": "owner",
    }
    response = client.post(reverse("studio:course_create"), data)
    assert "A platform course is shared with every agency" in response.content.decode()
    assert not Course.objects.filter(slug="for-everyone").exists()
    client.post(reverse("studio:course_create"), {**data, "visibility": "all"})
    assert Course.objects.get(slug="for-everyone").owner is None


def test_publish_page_links_each_problem_to_its_field_and_disables_publishing(
    world, client_for, django_assert_num_queries
):
    course = services.course_create(
        actor=world.a_trainer, agency=world.a, title="Short quiz", slug="short-quiz"
    )
    module = services.module_create(actor=world.a_trainer, course=course, title="Only module")
    services.lesson_create(
        actor=world.a_trainer, module=module, title="Intro", key="intro", body="Hello."
    )
    quiz = services.quiz_create(
        actor=world.a_trainer, course=course, module=module, title="Check", questions_per_attempt=5
    )
    question = services.question_create(
        actor=world.a_trainer,
        quiz=quiz,
        type="true_false",
        prompt="The sky is blue.",
        choices=[{"text": "True", "is_correct": True}, {"text": "False"}],
    )
    client = client_for(world.a_trainer)
    url = reverse("studio:course_publish", args=[course.pk])
    # Warm up: the first request after sign-in saves the session.
    client.get(url)
    # 16: one is the EHRI publish check asking whether the owner reports to OPM (ehri/), one
    # reads the draft's live-session steps, one its practice tasks.
    with django_assert_num_queries(16):
        page = client.get(url).content.decode()
    quiz_url = reverse("studio:quiz_edit", args=[course.pk, quiz.pk])
    assert (
        f'<a class="usa-link" href="{quiz_url}#id_questions_per_attempt">The quiz “Check” asks 5 '
        "questions per attempt but has only 1 question. Lower “Questions per attempt” to 1, or "
        "add questions.</a>"
    ) in page
    assert "Not ready to publish yet" in page
    assert 'type="submit" disabled' in page
    assert "modules[0]" not in page  # the path stays machine-readable, out of sight

    services.question_delete(actor=world.a_trainer, question=question)
    page = client.get(url).content.decode()
    question_add = reverse("studio:question_add", args=[course.pk, quiz.pk])
    assert f'href="{question_add}">The quiz “Check” has no questions yet' in page

    assert client_for(world.b_admin).get(url).status_code == 404


def test_a_clean_draft_offers_publish_now(world, course_a, client_for):
    page = (
        client_for(world.a_trainer)
        .get(reverse("studio:course_publish", args=[course_a.pk]))
        .content.decode()
    )
    assert "The draft is ready." in page
    assert 'type="submit" disabled' not in page


def test_archive_is_offered_only_for_a_published_course(world, course_a, client_for):
    client = client_for(world.a_trainer)
    draft = build_course(world.a_trainer, world.a, slug="never-published", title="Never")
    page = client.get(reverse("studio:outline", args=[draft.pk])).content.decode()
    assert "Archive (hide from the catalog)" not in page
    response = client.post(reverse("studio:course_archive", args=[draft.pk]), follow=True)
    assert "Only a published course can be archived" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    page = client.get(reverse("studio:outline", args=[course_a.pk])).content.decode()
    assert "Archive (hide from the catalog)" in page


def test_a_title_with_a_line_break_is_refused_on_the_form(world, course_a, client_for):
    client = client_for(world.a_trainer)
    form = client.get(reverse("studio:course_edit", args=[course_a.pk])).context["form"]
    data = {**form.initial, "shared_with": [], "title": "Intro\nBcc: everyone@example.gov"}
    response = client.post(reverse("studio:course_edit", args=[course_a.pk]), data)
    assert response.status_code == 200
    assert response.context["form"].errors["title"] == [
        "A title must fit on one line: remove the line breaks."
    ]
    course_a.refresh_from_db()
    assert "\n" not in course_a.title
    module = course_a.modules.first()
    response = client.post(
        reverse("studio:module_rename", args=[course_a.pk, module.pk]), {"title": "A\r\nB"}
    )
    module.refresh_from_db()
    assert "\n" not in module.title and "\r" not in module.title
