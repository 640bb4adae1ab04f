"""Writing a lesson: save, the preview (live endpoint and button), conflicts, attachments."""

from html.parser import HTMLParser

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from courses import services
from courses.models import Attachment

from .conftest import PNG

XSS = (
    '<script>alert("x")</script>\n\n[click](javascript:alert(1))\n\n'
    '<img src=x onerror="alert(1)">\n\n![pic](https://example.gov/a.png "t")\n\n'
    '<a href="#" onclick="steal()">link</a>\n\n# Heading'
)


def tags_in(html):
    """Every real (parsed) tag in some HTML with its attributes, ignoring escaped text."""
    found = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, attrs))

    Collect().feed(html)
    return found


def lesson_of(course, key="history"):
    return course.lessons.get(key=key)


def form_data(lesson, **changes):
    return {
        "title": lesson.title,
        "estimated_minutes": lesson.estimated_minutes,
        "body": lesson.body,
        "video_url": lesson.video_url,
        "transcript": lesson.transcript,
        "revision": lesson.revision,
        "action": "save",
        **changes,
    }


def test_save_lesson(world, course_a, client_for):
    lesson = lesson_of(course_a)
    url = reverse("studio:lesson_edit", args=[course_a.pk, lesson.pk])
    response = client_for(world.a_trainer).post(url, form_data(lesson, body="Rewritten."))
    assert response.status_code == 302
    lesson.refresh_from_db()
    assert lesson.body == "Rewritten." and lesson.revision == 2


def test_objectives_are_edited_one_per_line_and_agency_b_cannot_change_them(
    world, course_a, client_for
):
    lesson = lesson_of(course_a)
    url = reverse("studio:lesson_edit", args=[course_a.pk, lesson.pk])
    typed = "  Name the records schedule  \r\n\r\nFind the retention period\n"
    response = client_for(world.a_trainer).post(url, form_data(lesson, objectives=typed))
    assert response.status_code == 302
    lesson.refresh_from_db()
    assert lesson.objectives == ["Name the records schedule", "Find the retention period"]
    page = client_for(world.a_trainer).get(url).content.decode()
    assert "Name the records schedule\nFind the retention period</textarea>" in page
    other = client_for(world.b_admin).post(url, form_data(lesson, objectives="Mine"))
    assert other.status_code == 404
    lesson.refresh_from_db()
    assert lesson.objectives == ["Name the records schedule", "Find the retention period"]


def test_preview_endpoint_returns_sanitised_html(world, course_a, client_for, settings):
    settings.ACADEMY_IMAGE_HOSTS = ["example.gov"]
    response = client_for(world.a_trainer).post(
        reverse("studio:markdown_preview", args=[course_a.pk]), {"body": XSS}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    tags = tags_in(html)
    assert "script" not in [tag for tag, _ in tags]
    for _tag, attrs in tags:
        assert not [name for name, _ in attrs if name.startswith("on")]
        assert not [v for _, v in attrs if v and v.strip().lower().startswith("javascript:")]
    assert ("img", [("src", "x")]) not in tags
    assert '<img alt="pic" src="https://example.gov/a.png"' in html
    assert "<h2" in html and "<h1" not in html  # demoted below the page's own h1


def test_preview_endpoint_needs_post_and_csrf(world, course_a, client_for, client):
    url = reverse("studio:markdown_preview", args=[course_a.pk])
    assert client_for(world.a_trainer).get(url).status_code == 405
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(world.a_trainer)
    assert strict.post(url, {"body": "hi"}).status_code == 403


def test_preview_button_renders_without_saving(world, course_a, client_for):
    lesson = lesson_of(course_a)
    response = client_for(world.a_trainer).post(
        reverse("studio:lesson_edit", args=[course_a.pk, lesson.pk]),
        form_data(lesson, body="**Draft** words <script>x()</script>", action="preview"),
    )
    page = response.content.decode()
    assert "<strong>Draft</strong> words" in page
    assert "<script>x()" not in page
    lesson.refresh_from_db()
    assert lesson.body == "Some **history**."


def test_concurrent_edit_is_refused_and_keeps_the_trainers_text(world, course_a, client_for):
    lesson = lesson_of(course_a)
    opened = form_data(lesson)  # the trainer opens the form at revision 1
    services.lesson_update(
        actor=world.a_admin, lesson=lesson, expected_revision=1, body="The admin's version."
    )
    client = client_for(world.a_trainer)
    url = reverse("studio:lesson_edit", args=[course_a.pk, lesson.pk])
    response = client.post(url, {**opened, "body": "My long careful text."})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Someone else saved this lesson" in page
    assert "My long careful text." in page  # nothing lost
    assert "The admin&#x27;s version." in page  # theirs shown beside it
    lesson.refresh_from_db()
    assert lesson.body == "The admin's version."
    # Saving again, deliberately, replaces theirs.
    form = response.context["form"]
    assert form["revision"].value() == "2"
    client.post(url, {**opened, "body": "My long careful text.", "revision": "2"})
    lesson.refresh_from_db()
    assert lesson.body == "My long careful text."


def test_attachment_upload_errors_are_shown(world, course_a, client_for):
    lesson = lesson_of(course_a)
    url = reverse("studio:attachment_add", args=[course_a.pk, lesson.pk])
    client = client_for(world.a_trainer)
    response = client.post(url, {"file": SimpleUploadedFile("run.exe", b"MZ")})
    page = response.content.decode()
    assert 'id="id_file-error"' in page and "cannot be attached" in page
    response = client.post(url, {"file": SimpleUploadedFile("fake.png", b"not a png")})
    assert "does not look like a png file" in response.content.decode()
    assert not Attachment.objects.filter(lesson=lesson).exists()


def test_attachment_upload_and_remove(world, course_a, client_for):
    lesson = lesson_of(course_a)
    client = client_for(world.a_trainer)
    client.post(
        reverse("studio:attachment_add", args=[course_a.pk, lesson.pk]),
        {"file": SimpleUploadedFile("chart.png", PNG)},
    )
    attachment = Attachment.objects.get(lesson=lesson)
    page = client.get(reverse("studio:lesson_edit", args=[course_a.pk, lesson.pk]))
    assert "chart.png" in page.content.decode()
    client.post(reverse("studio:attachment_delete", args=[course_a.pk, attachment.pk]))
    assert not Attachment.objects.filter(lesson=lesson).exists()


def test_preview_answers_a_script_401_with_words_once_signed_out(client, world, course_a):
    url = reverse("studio:markdown_preview", args=[course_a.pk])
    response = client.post(url, {"body": "x"}, HTTP_X_REQUESTED_WITH="fetch")
    assert response.status_code == 401
    answer = response.json()
    assert answer["signed_out"] is True
    assert (
        "You are signed out. Sign in again in another tab; your text is kept" in answer["message"]
    )
    # A page request still goes to the sign-in page.
    assert client.post(url, {"body": "x"})["Location"].startswith(reverse("account_login"))


def test_autosave_saves_the_lesson_and_answers_its_new_revision(
    world, course_a, client_for, django_assert_num_queries
):
    lesson = lesson_of(course_a)
    url = reverse("studio:lesson_autosave", args=[course_a.pk, lesson.pk])
    client = client_for(world.a_trainer)
    data = form_data(lesson, body="Typed, then autosaved.")
    del data["action"]
    # Warm up: the first request after sign-in saves the session.
    client.get(reverse("studio:lesson_edit", args=[course_a.pk, lesson.pk]))
    # User, course, lesson; in a savepoint the save: the lesson locked, updated, the course's
    # draft time read and written. The session and the membership come from the cache, and the
    # session is renewed at most once a minute.
    with django_assert_num_queries(9):
        response = client.post(url, data, HTTP_X_REQUESTED_WITH="fetch")
    assert response.json() == {"saved": True, "revision": 2}
    lesson.refresh_from_db()
    assert lesson.body == "Typed, then autosaved." and lesson.revision == 2

    # The same revision again: someone (here: the first autosave) saved first.
    response = client.post(url, data, HTTP_X_REQUESTED_WITH="fetch")
    assert response.status_code == 409 and response.json()["saved"] is False
    response = client.post(url, {**data, "revision": 2, "title": ""}, HTTP_X_REQUESTED_WITH="fetch")
    assert response.status_code == 400 and "title" in response.json()["errors"]

    client.logout()
    response = client.post(url, {**data, "revision": 2}, HTTP_X_REQUESTED_WITH="fetch")
    assert response.status_code == 401
    lesson.refresh_from_db()
    assert lesson.revision == 2


def test_lesson_page_wires_the_draft_backup_and_autosave(world, course_a, client_for):
    lesson = lesson_of(course_a)
    client = client_for(world.a_trainer)
    page = client.get(reverse("studio:lesson_edit", args=[course_a.pk, lesson.pk])).content.decode()
    autosave = reverse("studio:lesson_autosave", args=[course_a.pk, lesson.pk])
    assert f'data-autosave-url="{autosave}"' in page
    assert f'data-draft-key="academy:lesson-draft:{world.a_trainer.pk}:{lesson.pk}"' in page
    assert 'data-form-saved="true"' in page and "js/lesson-draft.js" in page
    # A page re-shown after a refused save holds unsaved text: the script keeps it as such.
    url = reverse("studio:lesson_edit", args=[course_a.pk, lesson.pk])
    page = client.post(url, form_data(lesson, title="")).content.decode()
    assert 'data-form-saved="false"' in page
