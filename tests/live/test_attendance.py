"""Attendance by the meeting tool's CSV and by the check-in code; the recording afterwards."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from live import services
from live.models import Registration

pytestmark = pytest.mark.django_db

CSV = "Name;Email;Duration (minutes)\nLearner;LEARNER@a.gov;55\nOps;ops@a.gov;3\n"


def statuses():
    return dict(Registration.objects.values_list("user__email", "status"))


@pytest.fixture
def registered(world, session):
    services.registration_create(actor=world.a_learner, session=session)
    services.registration_create(actor=world.a_ops_learner, session=session)
    return session


def test_csv_marks_registrants_with_enough_minutes(world, registered):
    with time_machine.travel(registered.starts_at + timedelta(hours=2)):
        result = services.attendance_import(
            actor=world.a_trainer,
            session=registered,
            content=CSV.encode(),
            email_column="Email",
            minutes_column="Duration (minutes)",
            min_minutes=10,
        )
    assert result == {"attended": 1, "rows": 2, "short": 1}
    assert statuses() == {"learner@a.gov": "attended", "ops@a.gov": "registered"}


def test_a_file_with_an_unknown_row_writes_nothing_and_lists_it(world, registered):
    content = (CSV + "Stranger;stranger@else.gov;60\n").encode()
    with time_machine.travel(registered.starts_at + timedelta(hours=2)):
        with pytest.raises(ValidationError) as refusal:
            services.attendance_import(
                actor=world.a_trainer, session=registered, content=content, email_column="Email"
            )
    assert refusal.value.message_dict["file"] == [
        "Line 4: stranger@else.gov is not registered for this session."
    ]
    assert set(statuses().values()) == {"registered"}


def test_a_missing_column_names_the_columns_the_file_has(world, registered):
    with pytest.raises(ValidationError) as refusal:
        services.attendance_import(
            actor=world.a_trainer, session=registered, content=CSV.encode(), email_column="Mail"
        )
    assert "Name, Email, Duration (minutes)" in refusal.value.message_dict["email_column"][0]


def test_csv_upload_page_shows_the_refusal(world, registered):
    with time_machine.travel(registered.starts_at + timedelta(hours=2)):
        client = Client()
        client.force_login(world.a_trainer)
        upload = SimpleUploadedFile("att.csv", b"Email\nnobody@a.gov\n", content_type="text/csv")
        response = client.post(
            reverse("live_studio:attendance_csv", args=[registered.pk]),
            {"file": upload, "email_column": "Email", "minutes_column": "", "min_minutes": "0"},
        )
    assert response.status_code == 400
    assert "Line 2: nobody@a.gov is not registered" in response.content.decode()
    other = Client()
    other.force_login(world.b_admin)
    upload = SimpleUploadedFile("att.csv", CSV.encode(), content_type="text/csv")
    response = other.post(
        reverse("live_studio:attendance_csv", args=[registered.pk]),
        {"file": upload, "email_column": "Email"},
    )
    assert response.status_code == 404


def test_check_in_code_during_the_session_only(world, registered):
    with pytest.raises(ValidationError):
        services.checkin(actor=world.a_learner, session=registered, code=registered.checkin_code)
    with time_machine.travel(registered.starts_at + timedelta(minutes=5)):
        with pytest.raises(ValidationError):
            services.checkin(actor=world.a_learner, session=registered, code="WRONG1")
        services.checkin(
            actor=world.a_learner, session=registered, code=registered.checkin_code.lower()
        )
        with pytest.raises(ValidationError):
            services.checkin(actor=world.a_admin, session=registered, code=registered.checkin_code)
    assert statuses()["learner@a.gov"] == "attended"


def test_recording_and_materials_shown_after_the_session(world, registered, client_for):
    services.session_update(
        actor=world.a_trainer,
        session=registered,
        recording_url="https://video.example.gov/rec",
        materials="[Slides](https://example.gov/slides.pdf)",
    )
    url = reverse("live:detail", args=[registered.pk])
    assert "video.example.gov/rec" not in client_for(world.a_learner).get(url).content.decode()
    with time_machine.travel(registered.ends_at + timedelta(hours=1)):
        client = Client()
        client.force_login(world.a_learner)
        page = client.get(url).content.decode()
    assert "video.example.gov/rec" in page and "slides.pdf" in page
