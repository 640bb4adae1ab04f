"""Help, accessibility and privacy pages: open to everyone, in both languages, linked from the
footer of every page."""

import pytest
from django.test import override_settings
from django.utils import translation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Labels compared in English whatever a previous request left active."""
    with translation.override("en"):
        yield


PAGES = ["/help/", "/accessibility/", "/privacy/"]


@pytest.mark.parametrize("url", PAGES)
def test_footer_page_opens_without_signing_in(client, django_assert_num_queries, url):
    with django_assert_num_queries(0):
        response = client.get(url)
    assert response.status_code == 200


@pytest.mark.parametrize("url", PAGES)
def test_footer_page_for_a_member_costs_the_header_queries_only(
    world, client_for, django_assert_num_queries, url
):
    client = client_for(world.a_learner)
    # Warm up: the first request after sign-in saves the session.
    client.get(url)
    # The user, and nothing else: the session and the acting membership (header) come from the
    # cache, and the session is renewed at most once a minute. The page itself reads nothing.
    with django_assert_num_queries(1):
        response = client.get(url)
    assert response.status_code == 200


def test_every_page_footer_links_to_help_accessibility_and_privacy(client):
    content = client.get("/").content.decode()
    for url in PAGES:
        assert f'href="{url}"' in content


@override_settings(ACADEMY_SUPPORT_EMAIL="help@academy.example.gov")
@pytest.mark.parametrize("url", PAGES)
def test_footer_pages_give_the_support_address_from_settings(client, url):
    content = client.get(url).content.decode()
    assert 'href="mailto:help@academy.example.gov"' in content


def test_privacy_notice_says_what_is_stored_and_for_how_long(client, settings):
    settings.REPORT_RETENTION_DAYS = 45
    content = client.get("/privacy/").content.decode()
    for words in ["work email", "learning records", "audit log", "Privacy Act", "45 days"]:
        assert words in content


def test_accessibility_statement_names_the_standard(client):
    content = client.get("/accessibility/").content.decode()
    assert "WCAG" in content and "2.1" in content and "Section 508" in content


@pytest.mark.parametrize(
    "url, title",
    [
        ("/help/", "Aide et contact"),
        ("/accessibility/", "Déclaration d’accessibilité"),
        ("/privacy/", "Avis de confidentialité"),
    ],
)
def test_footer_pages_are_translated_to_french(client, settings, url, title):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    content = client.get(url).content.decode()
    assert f"<h1>{title}</h1>" in content
    assert 'lang="fr"' in content
