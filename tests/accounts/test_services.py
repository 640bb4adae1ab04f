"""accounts.services: the writers of User and its allauth EmailAddress for other apps."""

import pytest
from allauth.account.models import EmailAddress

from accounts.models import User
from accounts.services import UserEmailTaken, user_identity_update, user_provision
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_user_provision_creates_a_user_with_a_verified_primary_email():
    user, created = user_provision(email="  Ada.Lovelace@Agency.GOV ", full_name="Ada Lovelace")

    assert created
    assert user.email == "ada.lovelace@agency.gov"
    assert user.full_name == "Ada Lovelace"
    assert not user.has_usable_password()
    address = EmailAddress.objects.get(user=user)
    assert (address.email, address.verified, address.primary) == (user.email, True, True)


def test_user_provision_returns_the_existing_user_unchanged_whatever_the_case():
    existing = UserFactory(email="grace@agency.gov", full_name="Grace Hopper")

    user, created = user_provision(email="GRACE@agency.gov", full_name="Someone Else")

    assert not created
    assert user.pk == existing.pk
    assert user.full_name == "Grace Hopper"
    assert User.objects.count() == 1
    assert EmailAddress.objects.filter(user=user).count() == 1


def test_user_provision_keeps_a_long_name_to_200_characters():
    user, _created = user_provision(email="long@agency.gov", full_name="x" * 300)

    assert len(user.full_name) == 200


def test_user_provision_twice_creates_one_user(django_assert_num_queries):
    user_provision(email="once@agency.gov")

    with django_assert_num_queries(1):
        user, created = user_provision(email="once@agency.gov")

    assert not created
    assert User.objects.filter(email="once@agency.gov").count() == 1
    assert EmailAddress.objects.filter(user=user).count() == 1


def test_user_identity_update_changes_email_and_its_allauth_address():
    user, _created = user_provision(email="old@agency.gov", full_name="Old Name")

    changed = user_identity_update(user=user, email="New@Agency.gov", full_name="New Name")

    assert changed == ["email", "full_name"]
    user.refresh_from_db()
    assert (user.email, user.full_name) == ("new@agency.gov", "New Name")
    assert list(EmailAddress.objects.filter(user=user).values_list("email", flat=True)) == [
        "new@agency.gov"
    ]


def test_user_identity_update_refuses_an_email_of_another_person():
    UserFactory(email="taken@agency.gov")
    user, _created = user_provision(email="mine@agency.gov")

    with pytest.raises(UserEmailTaken):
        user_identity_update(user=user, email="TAKEN@agency.gov")

    user.refresh_from_db()
    assert user.email == "mine@agency.gov"
    assert EmailAddress.objects.get(user=user).email == "mine@agency.gov"


def test_user_identity_update_with_nothing_new_writes_nothing(django_assert_num_queries):
    user, _created = user_provision(email="same@agency.gov", full_name="Same")

    with django_assert_num_queries(0):
        changed = user_identity_update(user=user, email="Same@agency.gov", full_name=None)

    assert changed == []


def test_user_identity_update_of_the_name_alone_leaves_the_email():
    user, _created = user_provision(email="name@agency.gov", full_name="Before")

    changed = user_identity_update(user=user, full_name="After")

    assert changed == ["full_name"]
    user.refresh_from_db()
    assert (user.email, user.full_name) == ("name@agency.gov", "After")


def test_user_provision_losing_a_race_is_refused_and_leaves_the_transaction_usable(monkeypatch):
    UserFactory(email="race@agency.gov")
    # The other request's row is not seen by the lookup, as when both look at the same moment.
    monkeypatch.setattr(User.objects, "select_for_update", lambda: User.objects.none())

    with pytest.raises(UserEmailTaken):
        user_provision(email="race@agency.gov")

    assert User.objects.filter(email="race@agency.gov").count() == 1
