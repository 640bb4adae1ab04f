"""The practice pages: the learner's step, the files, the review queue and grading; a reviewer
of another agency gets 404 on all of them."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from learning import services as learning_services
from practice import services
from practice.models import Submission, SubmissionStatus
from tests.builders import simple_course, with_practice_task

from .conftest import LEVELS_PASS

pytestmark = pytest.mark.django_db

STEP = "practice:step"


def step_url(course):
    return reverse(STEP, args=[course.slug, "rewrite-prompt"])


def test_the_step_page_shows_the_brief_and_rubric_in_the_player(client_for, world, enrollment):
    response = client_for(world.a_learner).get(step_url(enrollment.course))
    assert response.status_code == 200
    body = response.content.decode()
    assert "<strong>without</strong>" in body  # the brief, rendered
    assert "Every change explained (2)" in body
    assert "Practice task:" in body  # the player's contents name the step's kind


def test_someone_not_enrolled_gets_404(client_for, world, course):
    assert client_for(world.a_ops_learner).get(step_url(course)).status_code == 404
    missing = reverse(STEP, args=[course.slug, "nope"])
    assert client_for(world.a_ops_learner).get(missing).status_code == 404


def test_save_then_submit_by_form(client_for, world, enrollment):
    client = client_for(world.a_learner)
    url = step_url(enrollment.course)
    client.post(url, {"text": "draft", "draft_version": 0, "action": "save"})
    assert Submission.objects.get().text == "draft"
    response = client.post(url, {"text": "final", "draft_version": 1, "action": "submit"})
    assert response.status_code == 302
    submission = Submission.objects.get()
    assert (submission.status, submission.text) == (SubmissionStatus.SUBMITTED, "final")


def test_autosave_answers_json_with_the_version_and_a_conflict_warning(
    client_for, world, enrollment
):
    client = client_for(world.a_learner)
    url = step_url(enrollment.course)
    headers = {"X-Requested-With": "fetch"}
    first = client.post(url, {"text": "a", "draft_version": 0, "action": "save"}, headers=headers)
    assert first.json() == {"version": 1, "conflict": ""}
    stale = client.post(url, {"text": "b", "draft_version": 0, "action": "save"}, headers=headers)
    assert stale.json()["version"] == 2 and stale.json()["conflict"]


def test_an_empty_submit_shows_the_error_and_changes_nothing(client_for, world, enrollment):
    response = client_for(world.a_learner).post(
        step_url(enrollment.course), {"text": " ", "draft_version": 0, "action": "submit"}
    )
    assert response.status_code == 400
    assert "Write your answer before submitting." in response.content.decode()
    assert not Submission.objects.filter(status=SubmissionStatus.SUBMITTED).exists()


@pytest.fixture
def submitted(enrollment):
    return services.submission_submit(
        enrollment=enrollment, task_key="rewrite-prompt", text="Mine", base_version=0
    )[0]


def test_queue_lists_the_agencys_submissions_oldest_first(
    client_for, world, submitted, django_assert_max_num_queries
):
    client = client_for(world.a_trainer)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("practice:queue"))
    assert response.status_code == 200
    assert "Rewrite a prompt" in response.content.decode()
    assert world.a_learner.full_name in response.content.decode()


def test_learners_and_other_agencies_see_no_queue_and_no_submission(client_for, world, submitted):
    assert client_for(world.a_learner).get(reverse("practice:queue")).status_code == 404
    b_client = client_for(world.b_admin)
    queue = b_client.get(reverse("practice:queue"))
    assert queue.status_code == 200 and "Rewrite a prompt" not in queue.content.decode()
    review = reverse("practice:review", args=[submitted.pk])
    assert b_client.get(review).status_code == 404
    assert b_client.post(reverse("practice:claim", args=[submitted.pk])).status_code == 404
    assert Submission.objects.get().status == SubmissionStatus.SUBMITTED


def test_anonymous_review_hides_the_learners_name(client_for, world):
    course = simple_course(world.a_trainer, world.a, slug="anon", title="Anon")
    with_practice_task(world.a_trainer, course, anonymous_review=True)
    enrollment = learning_services.enrollment_create(user=world.a_learner, course=course)
    submission = services.submission_submit(
        enrollment=enrollment, task_key="rewrite-prompt", text="Mine", base_version=0
    )[0]
    client = client_for(world.a_trainer)
    for url in (reverse("practice:queue"), reverse("practice:review", args=[submission.pk])):
        body = client.get(url).content.decode()
        assert "Anonymous" in body and world.a_learner.full_name not in body


def test_claim_then_grade_passes_and_the_learner_sees_the_feedback(client_for, world, submitted):
    client = client_for(world.a_trainer)
    client.post(reverse("practice:claim", args=[submitted.pk]))
    data = {f"level_{k}": v for k, v in LEVELS_PASS.items()}
    data.update(comment_removed="Clean.", comment="Well done.")
    response = client.post(reverse("practice:review", args=[submitted.pk]), data)
    assert response.status_code == 302
    assert Submission.objects.get().status == SubmissionStatus.PASSED
    page = client_for(world.a_learner).get(step_url(submitted.course)).content.decode()
    assert "Well done." in page and "Clean." in page and "Done: a reviewer passed" in page


def test_grading_without_the_claim_is_refused(client_for, world, submitted):
    data = {f"level_{k}": v for k, v in LEVELS_PASS.items()}
    response = client_for(world.a_trainer).post(
        reverse("practice:review", args=[submitted.pk]), data
    )
    assert response.status_code == 400
    assert Submission.objects.get().status == SubmissionStatus.SUBMITTED


def test_files_are_served_to_the_learner_and_the_agencys_reviewers_only(
    client_for, world, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    course = simple_course(world.a_trainer, world.a, slug="files", title="Files")
    with_practice_task(world.a_trainer, course, hand_in="files", file_types=[".pdf"])
    enrollment = learning_services.enrollment_create(user=world.a_learner, course=course)
    learner = client_for(world.a_learner)
    upload = SimpleUploadedFile("work.pdf", b"%PDF-1.4 mine", content_type="application/pdf")
    learner.post(
        reverse("practice:file_add", args=[course.slug, "rewrite-prompt"]), {"file": upload}
    )
    submission = Submission.objects.get()
    stored = submission.files.get()
    url = reverse("practice:file", args=[submission.pk, stored.pk])
    assert learner.get(url).status_code == 200
    # A draft's files are the learner's alone.
    assert client_for(world.a_trainer).get(url).status_code == 404
    services.submission_submit(
        enrollment=enrollment, task_key="rewrite-prompt", text="", base_version=0
    )
    assert client_for(world.a_trainer).get(url).status_code == 200
    assert client_for(world.b_admin).get(url).status_code == 404
    assert client_for(world.a_ops_learner).get(url).status_code == 404
