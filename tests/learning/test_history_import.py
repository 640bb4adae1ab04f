"""Importing past completions: the whole file is checked first (nothing written on any
refusal), then each person's course is completed on the given date, marked imported, counted
by the aggregates, without a certificate."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.urls import reverse

from agencies.models import AuditEvent
from learning import services as learning
from learning.models import Certificate, Enrollment, LearningEvent, Verb
from learning.services import HistoryRow, completions_import, history_parse_csv
from reports.access import dashboard_scope
from reports.models import EnrollmentCount
from reports.selectors.dashboard import dashboard_figures
from reports.services.recompute import aggregates_recompute_agency
from tests.builders import build_course, finish_course

LAST_YEAR = datetime.date.today() - datetime.timedelta(days=365)


@pytest.fixture
def course(world):
    return build_course(world.a_trainer, world.a, publish=True)


def _row(line, email, course, day=LAST_YEAR, score=None):
    return HistoryRow(line=line, email=email, course=course, completed_on=day, score=score)


def test_imports_completions_marked_as_imported_and_counted(world, course):
    started = learning.enrollment_create(user=world.a_ops_learner, course=course)
    result = completions_import(
        actor=world.a_admin,
        agency=world.a,
        rows=[
            _row(2, "Learner@a.gov", course.slug, score=88),
            _row(3, "ops@a.gov", course.slug),
        ],
    )
    assert result == {"imported": 2, "already_completed": 0}
    mine = Enrollment.objects.get(user=world.a_learner, course=course)
    assert mine.is_completed and mine.imported_at is not None and mine.final_score == 88
    assert mine.completed_at.date() == LAST_YEAR and mine.unit_id == world.data.pk
    started.refresh_from_db()
    assert started.is_completed and started.imported_at is not None  # their open one, done
    assert not Certificate.objects.exists()
    events = LearningEvent.objects.filter(verb=Verb.COURSE_COMPLETED)
    assert events.count() == 2 and all(e.result["imported"] for e in events)
    completed = EnrollmentCount.objects.filter(agency=world.a, status="completed")
    assert completed.aggregate(n=Sum("n"))["n"] == 2
    assert AuditEvent.objects.filter(action="learning.history_import", outcome="success").exists()


def test_a_course_already_completed_in_academy_is_left_alone(world, course):
    done = finish_course(learning.enrollment_create(user=world.a_learner, course=course))
    result = completions_import(
        actor=world.a_admin, agency=world.a, rows=[_row(2, "learner@a.gov", course.slug)]
    )
    assert result == {"imported": 0, "already_completed": 1}
    done.refresh_from_db()
    assert done.imported_at is None and done.certificate is not None


def test_the_whole_file_is_checked_before_anything_is_written(world, course):
    other = build_course(world.b_admin, world.b, slug="b-only", title="B only", publish=True)
    tomorrow = datetime.date.today() + datetime.timedelta(days=2)
    rows = [
        _row(2, "learner@a.gov", course.slug),  # fine on its own
        _row(3, "learner@b.gov", course.slug),  # another agency's person
        _row(4, "ops@a.gov", other.slug),  # another agency's course
        _row(5, "ops@a.gov", course.slug, day=tomorrow),
        _row(6, "trainer@a.gov", course.slug, score=101),
        _row(7, "learner@a.gov", course.slug),  # twice
    ]
    with pytest.raises(ValidationError) as refused:
        completions_import(actor=world.a_admin, agency=world.a, rows=rows)
    lines = [message.split(":")[0] for message in refused.value.messages]
    assert lines == ["Line 3", "Line 4", "Line 5", "Line 6", "Line 7"]
    assert not Enrollment.objects.exists() and not LearningEvent.objects.exists()
    assert AuditEvent.objects.filter(action="learning.history_import", outcome="rejected").exists()


def test_only_the_agencys_admins_may_import(world, course):
    rows = [_row(2, "learner@a.gov", course.slug)]
    for actor in (world.a_manager, world.b_admin):
        with pytest.raises(ValidationError):
            completions_import(actor=actor, agency=world.a, rows=rows)
    assert not Enrollment.objects.exists()


def test_parses_the_documented_csv_and_lists_unreadable_lines():
    rows = history_parse_csv(
        "\ufeffemail,course,completed_on,score\n"
        "ana@a.gov,intro-ai,2025-03-01,90\n"
        "\n"
        "bo@a.gov,intro-ai,2025-03-02,\n"
    )
    assert rows == [
        HistoryRow(
            line=2,
            email="ana@a.gov",
            course="intro-ai",
            completed_on=datetime.date(2025, 3, 1),
            score=90,
        ),
        HistoryRow(
            line=4,
            email="bo@a.gov",
            course="intro-ai",
            completed_on=datetime.date(2025, 3, 2),
            score=None,
        ),
    ]
    with pytest.raises(ValidationError) as refused:
        history_parse_csv("email,course,completed_on\na@a.gov,x,03/01/2025\nb@a.gov,x,2025-1-1\n")
    assert len(refused.value.messages) == 2
    with pytest.raises(ValidationError):
        history_parse_csv("name,course\nx,y\n")


def test_the_completion_report_marks_imported_completions(world, course):
    from reports.access import dashboard_scope
    from reports.services.exporters import completion_rows

    learning.enrollment_create(user=world.a_ops_learner, course=course)
    completions_import(
        actor=world.a_admin, agency=world.a, rows=[_row(2, "learner@a.gov", course.slug)]
    )
    header, *rows = list(completion_rows(dashboard_scope(world.a_admin)))
    assert header[-1] == "Imported"
    by_email = {row[3]: row for row in rows}
    assert by_email["learner@a.gov"][-1] == "Imported"
    assert by_email["learner@a.gov"][8] == LAST_YEAR
    assert by_email["ops@a.gov"][-1] == ""


def test_the_dashboard_tells_imported_completions_apart_and_the_recompute_agrees(
    world, course, client
):
    finish_course(learning.enrollment_create(user=world.a_ops_learner, course=course))
    completions_import(
        actor=world.a_admin, agency=world.a, rows=[_row(2, "learner@a.gov", course.slug)]
    )
    headline = dashboard_figures(dashboard_scope(world.a_admin))["headline"]
    assert (headline["completed"], headline["imported"]) == (2, 1)
    assert EnrollmentCount.objects.aggregate(n=Sum("imported"))["n"] == 1
    assert aggregates_recompute_agency(agency_id=world.a.pk, repair=False) == []
    client.force_login(world.a_admin)
    page = client.get(reverse("reports:dashboard")).content.decode()
    assert "Of which imported from a former system</dt><dd>1</dd>" in page
