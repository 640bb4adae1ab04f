"""Lesson attachments are private: served only through views that check the page's access."""

import importlib

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import clear_url_caches, reverse

from academy.files import private_file_response
from courses import services
from courses.models import Attachment, CourseVersion, Lesson
from learning import services as learning
from tests.builders import build_course

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
    b"\x00\x1f\x15\xc4\x89"
)


def _attach(world, course, name="chart.png", data=PNG, key="history"):
    lesson = Lesson.objects.get(course=course, key=key)
    return services.attachment_add(
        actor=world.a_trainer, lesson=lesson, upload=SimpleUploadedFile(name, data)
    )


def _learner_url(course, attachment):
    return reverse("learning:lesson_file", args=[course.slug, attachment.sha256, attachment.name])


@pytest.fixture
def published(world):
    """A published course with chart.png on its History lesson (named in the text), and
    a_learner enrolled."""
    course = build_course(world.a_trainer, world.a)
    attachment = _attach(world, course)
    lesson = attachment.lesson
    lesson.refresh_from_db()
    services.lesson_update(
        actor=world.a_trainer,
        lesson=lesson,
        expected_revision=lesson.revision,
        body="![Sales chart](chart.png)\n\n[Download](files/history/chart.png)",
    )
    services.course_publish(actor=world.a_trainer, course=course)
    learning.enrollment_create(user=world.a_learner, course=course)
    course.refresh_from_db()
    return course, attachment


def test_attachments_are_stored_under_unguessable_names(world, published):
    _, attachment = published
    folder = attachment.file.name.split("/")
    assert folder[0] == "course-files" and folder[-1] == "chart.png"
    assert len(folder) == 4 and len(folder[2]) >= 20


def test_lesson_links_its_files_to_the_learner_file_view(world, published, client_for):
    course, attachment = published
    url = _learner_url(course, attachment)
    page = client_for(world.a_learner).get(f"/learn/{course.slug}/lessons/history/")
    html = page.content.decode()
    assert f'src="{url}"' in html and f'href="{url}"' in html
    assert f'href="{url}" download' in html
    assert "/media/" not in html and attachment.file.name not in html


def test_enrolled_learner_gets_the_file_inline_for_an_image(
    world, published, client_for, django_assert_num_queries
):
    course, attachment = published
    client = client_for(world.a_learner)
    # Warm up: the first request after sign-in saves the session.
    client.get("/")
    # user, enrollment with its version (session and membership: from the cache)
    with django_assert_num_queries(2):
        response = client.get(_learner_url(course, attachment))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline")
    assert "private" in response["Cache-Control"]


def test_anonymous_user_gets_404_for_a_lesson_file(world, published, client):
    course, attachment = published
    assert client.get(_learner_url(course, attachment)).status_code == 404


def test_learner_of_another_agency_gets_404_for_a_lesson_file(world, published, client_for):
    course, attachment = published
    response = client_for(world.b_learner).get(_learner_url(course, attachment))
    assert response.status_code == 404


def test_learner_gets_404_for_a_file_only_in_the_draft(world, published, client_for):
    course, _ = published
    draft_only = _attach(world, course, name="notes.pdf", data=b"%PDF-1.4 draft")
    response = client_for(world.a_learner).get(_learner_url(course, draft_only))
    assert response.status_code == 404
    # ...and the trainer previewing the draft gets it, as a download.
    trainer = client_for(world.a_trainer)
    studio_url = reverse(
        "studio:attachment_file", args=[course.pk, draft_only.sha256, draft_only.name]
    )
    response = trainer.get(studio_url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == b"%PDF-1.4 draft"


@pytest.mark.parametrize("who", ["a_learner", "b_admin"])
def test_studio_file_view_is_only_for_editors_of_the_course(world, published, client_for, who):
    course, attachment = published
    url = reverse("studio:attachment_file", args=[course.pk, attachment.sha256, attachment.name])
    assert client_for(getattr(world, who)).get(url).status_code == 404


def test_studio_preview_links_files_to_the_studio_view(world, published, client_for):
    course, attachment = published
    page = client_for(world.a_trainer).get(f"/studio/courses/{course.pk}/preview/")
    url = reverse("studio:attachment_file", args=[course.pk, attachment.sha256, attachment.name])
    assert f'src="{url}"' in page.content.decode()


def test_versions_published_with_public_urls_are_linked_to_the_view(world, published, client_for):
    """Snapshots written before files were private hold /media/ URLs: the page rewrites them."""
    course, attachment = published
    version = CourseVersion.objects.get(pk=course.current_version_id)
    old_url = f"/media/{attachment.file.name}"
    for m in version.snapshot["modules"]:
        for le in m["lessons"]:
            for a in le["attachments"]:
                a["url"] = old_url
            if le["key"] == "history":
                le["html"] = f'<p><img alt="Sales chart" src="{old_url}"></p>'
    CourseVersion.objects.filter(pk=version.pk).update(snapshot=version.snapshot)
    html = client_for(world.a_learner).get(f"/learn/{course.slug}/lessons/history/").content
    assert old_url.encode() not in html
    assert f'src="{_learner_url(course, attachment)}"'.encode() in html


def test_media_is_never_served_by_url_even_in_debug(settings, tmp_path, client):
    settings.DEBUG = True
    settings.MEDIA_ROOT = str(tmp_path)
    (tmp_path / "course-files").mkdir()
    (tmp_path / "course-files" / "secret.pdf").write_bytes(b"%PDF secret")
    import academy.urls

    importlib.reload(academy.urls)
    clear_url_caches()
    try:
        response = client.get("/media/course-files/secret.pdf")
        assert response.status_code == 404
    finally:
        settings.DEBUG = False
        importlib.reload(academy.urls)
        clear_url_caches()


def test_deleting_an_attachment_deletes_its_file_unless_a_version_has_it(
    world, published, django_capture_on_commit_callbacks
):
    course, published_file = published
    draft_only = _attach(world, course, name="notes.pdf", data=b"%PDF-1.4 draft")
    with django_capture_on_commit_callbacks(execute=True):
        services.attachment_delete(actor=world.a_trainer, attachment=draft_only)
    assert not default_storage.exists(draft_only.file.name)
    # The published version still links chart.png: removing it from the draft keeps the file.
    with django_capture_on_commit_callbacks(execute=True):
        services.attachment_delete(actor=world.a_trainer, attachment=published_file)
    assert default_storage.exists(published_file.file.name)
    assert not Attachment.objects.exists()


def test_deleting_a_lesson_deletes_its_unpublished_files(
    world, published, django_capture_on_commit_callbacks
):
    course, _ = published
    draft_only = _attach(world, course, name="notes.pdf", data=b"%PDF-1.4", key="prompts")
    with django_capture_on_commit_callbacks(execute=True):
        services.lesson_delete(actor=world.a_trainer, lesson=draft_only.lesson)
    assert not default_storage.exists(draft_only.file.name)


def test_x_accel_redirect_hands_the_file_to_the_web_server(settings):
    settings.ACADEMY_X_ACCEL_REDIRECT_PREFIX = "/protected/"
    response = private_file_response(
        "course-files/1/abc/My report.pdf", "My report.pdf", "application/pdf"
    )
    assert response["X-Accel-Redirect"] == "/protected/course-files/1/abc/My%20report.pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.content == b""


def test_s3_storage_redirects_to_a_short_lived_signed_url(settings, monkeypatch):
    from storages.backends.s3 import S3Storage

    storage = S3Storage(bucket_name="academy", querystring_auth=True, querystring_expire=60)
    asked = {}

    def signed(name, parameters=None, expire=None, http_method=None):
        asked.update(name=name, parameters=parameters)
        return f"https://bucket.example/{name}?X-Amz-Expires=60&X-Amz-Signature=abc"

    monkeypatch.setattr(storage, "url", signed)
    response = private_file_response("reports/x/a.csv", "a.csv", "text/csv", storage=storage)
    assert response.status_code == 302
    assert response["Location"].startswith("https://bucket.example/reports/x/a.csv?")
    assert asked["parameters"]["ResponseContentDisposition"].startswith("attachment")
    assert storage.querystring_expire == 60
