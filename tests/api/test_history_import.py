"""POST /api/v1/completions/import/: past completions through learning's completions_import,
all or nothing, scope learning:write, into the token's agency only."""

import datetime

import pytest

from learning.models import Enrollment
from tests.builders import build_course

WRITE = ["learning:write", "learning:read"]
DAY = (datetime.date.today() - datetime.timedelta(days=100)).isoformat()


@pytest.fixture
def course(world):
    return build_course(world.a_trainer, world.a, publish=True)


def test_imports_rows_and_the_enrollments_say_imported(world, api, course):
    client = api(world.a, scopes=WRITE)
    response = client.post(
        "completions/import/",
        {"rows": [{"email": "learner@a.gov", "course": course.slug, "completed_on": DAY}]},
    )
    assert response.status_code == 200, response.content
    assert response.json() == {"imported": 1, "already_completed": 0}
    rows = client.get("enrollments/").json()["results"]
    assert [(r["email"], r["status"], r["imported"]) for r in rows] == [
        ("learner@a.gov", "completed", True)
    ]


def test_imports_the_documented_csv(world, api, course):
    csv = f"email,course,completed_on,score\nops@a.gov,{course.slug},{DAY},75\n"
    response = api(world.a, scopes=WRITE).post("completions/import/", {"csv": csv})
    assert response.status_code == 200, response.content
    assert Enrollment.objects.get(user=world.a_ops_learner).final_score == 75


def test_one_bad_line_refuses_everything_with_every_line_listed(world, api, course):
    response = api(world.a, scopes=WRITE).post(
        "completions/import/",
        {
            "rows": [
                {"email": "learner@a.gov", "course": course.slug, "completed_on": DAY},
                {"email": "learner@b.gov", "course": course.slug, "completed_on": DAY},
                {"email": "ops@a.gov", "course": "no-such-course", "completed_on": DAY},
            ]
        },
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    details = [error["detail"] for error in response.json()["errors"]]
    assert [d.split(":")[0] for d in details] == ["Line 2", "Line 3"]
    assert not Enrollment.objects.exists()


def test_another_agency_and_scopes(world, api, course):
    rows = {"rows": [{"email": "learner@a.gov", "course": course.slug, "completed_on": DAY}]}
    other = api(world.b, scopes=WRITE).post("completions/import/", rows)
    assert other.status_code == 400  # agency A's person and course are unknown to B
    assert (
        api(world.a, scopes=["learning:read"]).post("completions/import/", rows).status_code == 403
    )
    assert not Enrollment.objects.exists()
    both = api(world.a, scopes=WRITE).post("completions/import/", {**rows, "csv": "x"})
    assert both.status_code == 400
