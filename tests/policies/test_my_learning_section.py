"""My learning's AI policy section reads in one query what `learner_policy` reads in three,
and says the same thing in every state, as plain values (the page caches its markup under
them)."""

import datetime

import pytest
from django.utils import timezone

from policies import services
from policies.selectors import learner_policy, my_learning_section

from .conftest import publish

pytestmark = pytest.mark.django_db


def _same(user, django_assert_num_queries):
    full = learner_policy(user)
    with django_assert_num_queries(1):
        section = my_learning_section(user)
    if full["version"] is None:
        assert section["version"] is None
        return section
    version = full["version"]
    assert vars(section["version"]) == {"title": version.title, "number": version.number}
    assert section["open_request"] == full["open_request"]
    ack = full["acknowledgement"]
    assert (section["acknowledgement"] is None) == (ack is None)
    if ack is not None:
        assert section["acknowledgement"].acknowledged_at == ack.acknowledged_at
    return section


def test_my_learning_section_says_what_learner_policy_says(world, django_assert_num_queries):
    user, name = world.a_learner, world.a_learner.full_name
    assert _same(user, django_assert_num_queries)["version"] is None  # no policy yet
    first = publish(world.a_admin, world.a, yearly=True)
    assert _same(user, django_assert_num_queries)["open_request"] is not None
    long_ago = timezone.now() - datetime.timedelta(days=366)
    services.policy_acknowledge(user=user, version=first, typed_name=name, now=long_ago)
    assert _same(user, django_assert_num_queries)["open_request"].renewal  # yearly: again
    services.policy_acknowledge(user=user, version=first, typed_name=name)
    assert _same(user, django_assert_num_queries)["open_request"] is None
    publish(world.a_admin, world.a, title="AI rules, revised")
    assert _same(user, django_assert_num_queries)["open_request"] is not None
    # agency B has no policy: A's never shows there
    assert _same(world.b_learner, django_assert_num_queries)["version"] is None
