"""The learner's record ("My record"): completions with hours, as a page, a CSV and a PDF."""

import base64
import csv
import datetime
import io
import re
import zlib
from decimal import Decimal
from unittest import mock

import pytest
import time_machine
from django.urls import reverse

from learning import services
from learning.transcript import learner_record, record_pdf
from tests.builders import finish_course, simple_course

pytestmark = pytest.mark.django_db

RECORD = reverse("learning:record")


@pytest.fixture
def three_completions(world, course):
    """The learner completes three courses: the quiz course (30 min, scored, required) and two
    short ones (10 min each, no quiz, self-enrolled)."""
    learner = world.a_learner
    finish_course(services.enrollment_create(user=learner, course=course, required=True))
    for slug in ("short-one", "short-two"):
        short = simple_course(world.a_trainer, world.a, slug=slug, title=slug.replace("-", " "))
        finish_course(services.enrollment_create(user=learner, course=short))
    return learner


def _pdf_text(content: bytes) -> str:
    """The text drawn on the pages of a reportlab PDF (streams ASCII85- and Flate-encoded)."""
    text = []
    for stream in re.findall(rb"stream\r?\n(.*?)\s*endstream", content, re.S):
        data = stream.strip()
        if data.endswith(b"~>"):
            data = base64.a85decode(data[:-2])
        text.append(zlib.decompress(data).decode("latin-1"))
    return "\n".join(text)


def test_record_lists_every_completion_with_hours_and_total(
    world, three_completions, client_for, django_assert_num_queries
):
    client = client_for(three_completions)
    # Warm up: the first request after sign-in saves the session.
    client.get(RECORD)
    # The user and the certificates with their enrollments: the session and the membership
    # (actor) come from the cache, and the session is renewed at most once a minute.
    with django_assert_num_queries(2):
        response = client.get(RECORD)
    assert response.status_code == 200
    record = response.context["completions"]
    assert [(r.course_title, r.version, r.minutes, r.required) for r in record] == [
        ("short two", 1, 10, False),
        ("short one", 1, 10, False),
        ("Intro to AI", 1, 30, True),
    ]
    assert record[2].score == 100 and record[0].score is None
    assert response.context["total_hours"] == Decimal("0.8")  # 50 minutes
    html = response.content.decode()
    assert "3 completed courses, 0.8 hours of training in total." in html
    for row in record:
        assert reverse("learning:certificate", args=[row.certificate_code]) in html
    assert reverse("learning:record_pdf") in html and reverse("learning:record_csv") in html


def test_record_is_linked_from_my_learning_and_the_account_area(world, client_for):
    client = client_for(world.a_learner)
    assert RECORD in client.get(reverse("learning:my_learning")).content.decode()
    assert RECORD in client.get(reverse("account_email")).content.decode()


def test_completion_date_is_the_agency_date(world, course):
    world.a.time_zone = "Pacific/Honolulu"
    world.a.save(update_fields=["time_zone"])
    enrollment = services.enrollment_create(user=world.a_learner, course=course)
    # 05:00 UTC on 2 March is still 1 March in Honolulu (UTC-10).
    with time_machine.travel(datetime.datetime(2031, 3, 2, 5, 0, tzinfo=datetime.UTC)):
        finish_course(enrollment)
    (row,) = learner_record(world.a_learner)["completions"]
    assert row.completed_on == datetime.date(2031, 3, 1)


def test_earlier_periods_are_listed_with_their_own_version_and_score(
    world, course, client_for, django_assert_num_queries
):
    from courses import services as course_services

    enrollment = services.enrollment_create(user=world.a_learner, course=course, required=True)
    finish_course(enrollment)
    # A second version takes longer; the learner does the training again on it.
    course_services.course_update(
        actor=world.a_trainer,
        course=course,
        expected_revision=course.draft_revision,
        estimated_minutes=90,
    )
    course_services.course_publish(actor=world.a_trainer, course=course)
    enrollment = services.enrollment_reopen(enrollment=enrollment, period=2, due_on=None)
    finish_course(enrollment)
    client = client_for(world.a_learner)
    # Warm up: the first request after sign-in saves the session.
    client.get(RECORD)
    # As above, plus the learning events and the earlier versions' minutes.
    with django_assert_num_queries(4):
        response = client.get(RECORD)
    rows = response.context["completions"]
    assert [(r.period, r.version, r.minutes, r.score) for r in rows] == [
        (2, 2, 90, 100),
        (1, 1, 30, 100),
    ]
    assert response.context["total_hours"] == Decimal("2.0")


def test_a_revoked_certificate_is_listed_but_not_counted(world, three_completions, course):
    certificate = three_completions.enrollments.get(course=course).certificate
    services.certificate_revoke(actor=world.a_admin, certificate=certificate, reason="Error")
    record = learner_record(three_completions)
    assert len(record["completions"]) == 3 and record["counted"] == 2
    assert record["total_hours"] == Decimal("0.3")  # 20 minutes
    assert [r.revoked for r in record["completions"]] == [False, False, True]


def test_only_the_learner_sees_their_record(world, three_completions, client_for):
    for other in (world.a_admin, world.a_manager, world.b_learner, world.platform_admin):
        client = client_for(other)
        assert client.get(RECORD).context["completions"] == []
        assert len(list(csv.reader(io.StringIO(client.get(RECORD + "csv/").content.decode())))) == 1
    client.logout()
    assert client.get(RECORD).status_code == 302


def test_csv_has_a_row_per_completion_and_is_formula_safe(
    world, client_for, django_assert_num_queries
):
    learner = world.a_learner
    risky = simple_course(world.a_trainer, world.a, slug="risky", title="=HYPERLINK(1)")
    finish_course(services.enrollment_create(user=learner, course=risky))
    client = client_for(learner)
    # Warm up: the first request after sign-in saves the session.
    client.get(RECORD)
    with django_assert_num_queries(2):
        response = client.get(reverse("learning:record_csv"))
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="training-record.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Course", "Version", "Completed on", "Hours"]
    code = learner.enrollments.get().certificate.code
    assert rows[1][0] == "'=HYPERLINK(1)"
    assert rows[1][1:] == ["1", rows[1][2], "0.2", "", "Optional", code, "Valid"]
    datetime.date.fromisoformat(rows[1][2])


def test_pdf_transcript_has_the_rows_and_the_total(
    world, three_completions, client_for, django_assert_num_queries
):
    client = client_for(three_completions)
    # Warm up: the first request after sign-in saves the session.
    client.get(RECORD)
    with django_assert_num_queries(2):
        response = client.get(reverse("learning:record_pdf"))
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="training-transcript.pdf"' in response["Content-Disposition"]
    content = response.content
    assert content.startswith(b"%PDF")
    assert b"/Lang" in content and b"/DisplayDocTitle true" in content
    text = _pdf_text(content)
    for title in ("Intro to AI", "short one", "short two"):
        assert f"({title})" in text
    assert "Total: 0.8 hours of training completed" in text
    assert "http://testserver" + RECORD in text
    # The certificate codes are in the table, one row per completion.
    for enrollment in three_completions.enrollments.all():
        assert enrollment.certificate.code in text


def test_pdf_of_an_empty_record_says_so(world):
    content = record_pdf(
        learner_record(world.a_learner),
        learner="A",
        agency="Agency A",
        today=datetime.date(2031, 1, 1),
        page_url="http://x/learn/record/",
    )
    assert "No completed courses yet." in _pdf_text(content)


def test_record_reads_in_french(world, three_completions, client_for):
    client = client_for(three_completions)
    client.cookies["django_language"] = "fr"
    html = client.get(RECORD).content.decode()
    assert "Mon dossier" in html
    assert "3 cours terminés, 0,8 heures de formation au total." in html
    assert "100\u00a0%" in html  # the score, with a no-break space before the sign
    text = _pdf_text(client.get(reverse("learning:record_pdf")).content)
    assert "Relev\\351 de formation" in text  # WinAnsi octal escape of "é"


def test_certificate_codes_never_start_with_a_formula_character():
    from learning.services.enrollment import certificate_code

    with mock.patch("secrets.token_urlsafe", side_effect=["-abc", "_def", "Xyz"]):
        assert certificate_code() == "Xyz"
