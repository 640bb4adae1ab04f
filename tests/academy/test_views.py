import pytest

pytestmark = pytest.mark.django_db


def test_welcome_page_for_visitors_offers_sign_in_and_sign_up(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/")
    content = response.content.decode()
    assert response.status_code == 200
    assert "/accounts/login/" in content and "/accounts/signup/" in content


@pytest.mark.parametrize(
    "who, queries",
    [
        ("a_learner", 2),
        ("a_manager", 2),
        ("a_admin", 2),
        ("platform_admin", 1),
    ],
)
def test_home_page_query_count_is_exact(world, client_for, django_assert_num_queries, who, queries):
    client = client_for(getattr(world, who))
    # Warm up: the first request after sign-in saves the session and reads the catalog of the
    # agency (courses.selectors.audience_catalog, kept in the process).
    client.get("/")
    # The user, then the page's own queries (a member's enrollments; the suggestions from the
    # catalog kept): the session and the acting membership come from the cache, and the
    # session is renewed at most once a minute.
    with django_assert_num_queries(queries):
        response = client.get("/")
    assert response.status_code == 200


def test_home_page_names_the_agency_of_the_member(world, client_for):
    content = client_for(world.a_learner).get("/").content.decode()
    assert "Agency A" in content
    assert "Agency B" not in content


def test_people_links_only_for_people_managers(world, client_for):
    assert "/agency/members/" not in client_for(world.a_learner).get("/").content.decode()
    assert "/agency/members/" in client_for(world.a_manager).get("/").content.decode()


def test_user_without_agency_is_told_to_ask_for_an_invitation(db, client_for):
    from tests.factories import UserFactory

    content = client_for(UserFactory(email="lonely@nowhere.org")).get("/").content.decode()
    assert "not attached to an agency" in content


def test_unknown_page_answers_with_the_404_template(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
