"""The header's navigation: grouped menus by role, the current section and page marked."""

import re

import pytest
from django.utils import translation

from academy.navigation import primary_navigation
from agencies.access import actor_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Labels compared in English whatever a previous request left active."""
    with translation.override("en"):
        yield


def _labels(sections):
    return {str(s.label): [str(link.label) for link in s.links] for s in sections}


def test_learner_gets_four_links_in_the_bar_and_no_menu(world):
    sections = primary_navigation(actor_for(world.a_learner), "/")
    assert [(str(s.label), s.menu) for s in sections] == [
        ("Home", False),
        ("My learning", False),
        ("Catalog", False),
        ("Live sessions", False),
    ]


def test_agency_admin_gets_learning_studio_manage_and_reports(world):
    labels = _labels(primary_navigation(actor_for(world.a_admin), "/"))
    assert list(labels) == ["Learning", "Studio", "Reviews", "Manage", "Reports"]
    assert labels["Manage"] == [
        "People",
        "Units",
        "Assignments",
        "Reminder policy",
        "AI policy",
        "Agency settings",
        "Sign-in (SSO)",
        "Provisioning (SCIM)",
        "API clients",
        "Import past completions",
        "Credentials (Open Badges)",
        "Learning record store (xAPI)",
        "OPM training feed (EHRI)",
        "Audit log",
    ]
    assert labels["Reports"] == [
        "Dashboard",
        "Overdue training",
        "Requested reports",
        "Certificates",
        "AI policy acknowledgements",
    ]


def test_manager_sees_no_agency_wide_settings_and_no_studio(world):
    labels = _labels(primary_navigation(actor_for(world.a_manager), "/"))
    assert list(labels) == ["Learning", "Manage", "Reports"]
    assert labels["Manage"] == ["People", "Units", "Assignments"]


def test_platform_admin_also_gets_adoption_and_agencies(world):
    labels = _labels(primary_navigation(actor_for(world.platform_admin), "/"))
    assert labels["Reports"][-2:] == ["Adoption", "Agencies"]
    assert "Audit log" in labels["Manage"]


def test_a_page_under_a_link_marks_that_link_and_its_section(world):
    sections = primary_navigation(actor_for(world.a_admin), "/reports/runs/12/")
    current = [
        (s.key, str(link.label), link.current) for s in sections for link in s.links if link.current
    ]
    assert current == [("reports", "Requested reports", "true")]
    assert [s.key for s in sections if s.current] == ["reports"]


def test_the_page_itself_is_marked_as_the_page(world):
    sections = primary_navigation(actor_for(world.a_admin), "/agency/audit/")
    marked = [(str(link.label), link.current) for s in sections for link in s.links if link.current]
    assert marked == [("Audit log", "page")]


def test_home_is_current_only_on_the_home_page(world):
    sections = primary_navigation(actor_for(world.a_learner), "/help/")
    assert not any(s.current for s in sections)


def test_header_marks_the_current_section_for_the_screen_reader(world, client_for):
    content = client_for(world.a_admin).get("/agency/audit/").content.decode()
    assert re.search(
        r'usa-nav__link usa-current" aria-expanded="false" aria-controls="nav-menu-manage"', content
    )
    assert re.search(r'aria-current="page"><span>Audit log</span>', content)
