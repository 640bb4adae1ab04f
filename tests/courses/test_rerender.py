"""Versions published under older, looser Markdown rules are rendered again with today's."""

import pytest
from django.core.management import call_command

from courses.models import CourseVersion
from courses.services.rerender import course_versions_rerender
from tests.builders import build_course

pytestmark = pytest.mark.django_db

HOSTILE = '<div class="admonition position-fixed z-top"><p>Session expired</p></div>'


def test_old_html_is_rendered_again_from_its_markdown(world):
    course = build_course(world.a_trainer, world.a, publish=True)
    version = CourseVersion.objects.get(course=course)
    snapshot = version.snapshot
    lesson = snapshot["modules"][0]["lessons"][0]
    clean_html = lesson["html"]
    lesson["html"] = HOSTILE  # as an older sanitiser would have let it through
    CourseVersion.objects.filter(pk=version.pk).update(snapshot=snapshot)

    assert course_versions_rerender() == 1
    version.refresh_from_db()
    assert version.snapshot["modules"][0]["lessons"][0]["html"] == clean_html
    assert "position-fixed" not in str(version.snapshot)
    assert course_versions_rerender() == 0  # nothing left to change


def test_the_command_reports_what_it_did(world, capsys):
    build_course(world.a_trainer, world.a, publish=True)
    call_command("rerender_versions")
    assert "0 version(s) re-rendered." in capsys.readouterr().out
