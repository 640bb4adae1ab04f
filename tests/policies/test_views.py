import csv
import io

import pytest
from django.urls import reverse

from policies import services
from policies.models import Acknowledgement, PolicyVersion
from tests.builders import bulk_members

from .conftest import publish

pytestmark = pytest.mark.django_db

MANAGE = reverse("policies:manage")
READ = reverse("policies:read")
STATUS = reverse("policies:status")
CSV = reverse("policies:status_csv")


def draft(**overrides):
    return {
        "title": "AI rules",
        "body_en": "Use **approved** tools only.",
        "body_fr": "N'utilisez que des outils **approuvés**.",
        "due_days": "30",
        **overrides,
    }


def test_admin_previews_saves_and_publishes_from_the_page(world, client_for):
    client = client_for(world.a_admin)
    page = client.post(MANAGE, {**draft(), "action": "preview"}).content.decode()
    assert "<strong>approved</strong>" in page and not PolicyVersion.objects.exists()
    client.post(MANAGE, {**draft(), "action": "publish"})
    page = client.get(MANAGE).content.decode()
    assert "Version 1" in page
    assert client.get(reverse("policies:version", args=[1])).status_code == 200


def test_non_admins_and_other_agencies_get_404_on_the_admin_pages(world, client_for, published):
    for user in (world.a_manager, world.a_learner, world.b_learner):
        assert client_for(user).get(MANAGE).status_code == 404
    client = client_for(world.b_admin)
    assert client.get(reverse("policies:version", args=[published.number])).status_code == 404
    assert "AI rules" not in client.get(MANAGE).content.decode()
    client.post(MANAGE, {**draft(title="Hijack"), "action": "publish"})
    assert PolicyVersion.objects.get(agency=world.a).title == "AI rules"
    assert PolicyVersion.objects.get(agency=world.b).title == "Hijack"  # B's own, not A's


def test_learner_acknowledges_from_my_learning(world, client_for, published):
    client = client_for(world.a_learner)
    page = client.get(reverse("learning:my_learning")).content.decode()
    assert "Acknowledge the AI policy" in page and READ in page
    wrong = client.post(READ, {"typed_name": "Not Me"})
    assert wrong.status_code == 200 and "Type your full name" in wrong.content.decode()
    assert not Acknowledgement.objects.exists()
    client.post(READ, {"typed_name": world.a_learner.full_name.lower()})
    assert Acknowledgement.objects.get().user == world.a_learner
    page = client.get(reverse("learning:my_learning")).content.decode()
    assert "You acknowledged AI rules (version 1)" in page


def test_policy_page_in_french_falls_back_to_english(world, client_for):
    publish(world.a_admin, world.a)
    client = client_for(world.a_learner)
    page = client.get(READ, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "approuvés" in page and "Accusé de réception" in page
    publish(world.a_admin, world.a, title="Sans français", body_fr="")
    page = client.get(READ, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "<strong>approved</strong>" in page and 'lang="en"' in page


def test_learner_of_b_sees_no_policy_of_a(world, client_for, published):
    assert client_for(world.b_learner).get(READ).status_code == 404


def test_manager_sees_only_people_of_their_units(world, client_for, published):
    services.policy_acknowledge(
        user=world.a_learner, version=published, typed_name=world.a_learner.full_name
    )
    page = client_for(world.a_manager).get(STATUS).content.decode()
    assert world.a_learner.full_name in page  # Data, below the manager's Digital
    assert world.a_ops_learner.full_name not in page  # Ops: a sibling unit
    assert world.b_learner.full_name not in page  # another agency
    assert "1 person has acknowledged it" in page
    admin_page = client_for(world.a_admin).get(STATUS).content.decode()
    assert world.a_ops_learner.full_name in admin_page
    b_page = client_for(world.b_manager).get(STATUS).content.decode()
    assert world.a_learner.full_name not in b_page
    assert "has not published" in b_page


def test_status_filter_and_csv_are_scoped_and_formula_safe(world, client_for, published):
    world.a_learner.full_name = "=HYPERLINK(1)"
    world.a_learner.save(update_fields=["full_name"])
    services.policy_acknowledge(user=world.a_learner, version=published, typed_name="=hyperlink(1)")
    client = client_for(world.a_manager)
    pending = client.get(STATUS, {"status": "pending"}).content.decode()
    assert "=HYPERLINK(1)" not in pending and world.a_trainer.full_name in pending
    body = b"".join(client.get(CSV).streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][:2] == ["Name", "Email"]
    names = {row[0]: row for row in rows[1:]}
    assert names["'=HYPERLINK(1)"][4] == "yes"
    assert world.a_ops_learner.full_name not in names and world.b_learner.full_name not in names


def test_status_page_query_count_does_not_grow_with_people(
    world, client_for, published, django_assert_num_queries
):
    people = bulk_members(world.a, [world.digital, world.data], 60)
    for person in people[:20]:
        services.policy_acknowledge(user=person, version=published, typed_name=person.full_name)
    client = client_for(world.a_manager)
    client.get(STATUS)
    with django_assert_num_queries(QUERIES):
        page = client.get(STATUS).content.decode()
    assert "20 people have acknowledged it" in page
    bulk_members(world.a, [world.data], 40, prefix="more")
    with django_assert_num_queries(QUERIES):
        client.get(STATUS)


QUERIES = 4  # user (session in the cache), current version, counts, rows


def test_learners_get_404_on_the_managers_pages(world, client_for, published):
    client = client_for(world.a_learner)
    assert client.get(STATUS).status_code == 404
    assert client.get(CSV).status_code == 404
    assert client_for(world.b_manager).get(CSV).status_code == 404  # B has no policy
