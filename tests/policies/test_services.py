import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from agencies.models import AuditEvent
from policies import services
from policies.models import Acknowledgement, PolicyVersion
from policies.selectors import learner_policy

from .conftest import publish

pytestmark = pytest.mark.django_db


def test_publish_renders_through_the_lesson_sanitiser_and_numbers_versions(world):
    first = publish(world.a_admin, world.a)
    assert first.number == 1
    assert "<strong>approved</strong>" in first.html_en
    assert "<script" not in first.html_en
    assert "approuvés" in first.html_fr
    second = publish(world.a_admin, world.a, title="AI rules 2")
    assert second.number == 2
    first.refresh_from_db()
    assert first.title == "AI rules"  # the published version did not change
    assert AuditEvent.objects.filter(action="policy.publish", agency=world.a).count() == 2


def test_publish_refuses_without_english_text(world):
    with pytest.raises(ValidationError):
        publish(world.a_admin, world.a, body_en="  ")
    assert not PolicyVersion.objects.exists()


def test_admin_of_b_cannot_edit_or_publish_a_policy(world, published):
    with pytest.raises(PermissionDenied):
        services.policy_draft_save(
            actor=world.b_admin,
            agency=world.a,
            title="x",
            body_en="x",
            body_fr="",
            due_days=5,
            yearly=False,
        )
    with pytest.raises(PermissionDenied):
        services.policy_publish(actor=world.b_admin, agency=world.a)
    with pytest.raises(PermissionDenied):
        services.policy_publish(actor=world.a_manager, agency=world.a)
    assert PolicyVersion.objects.filter(agency=world.a).count() == 1


def test_acknowledge_records_name_date_version_ip_and_audit(world, published):
    name = world.a_learner.full_name
    ack = services.policy_acknowledge(
        user=world.a_learner,
        version=published,
        typed_name="  " + name.upper().replace(" ", "  ") + " ",
        ip="10.0.0.7",
    )
    assert ack.version == published and ack.user == world.a_learner
    assert ack.ip_address == "10.0.0.7" and ack.acknowledged_at is not None
    assert ack.typed_name.strip()
    audit = AuditEvent.objects.get(action="policy.acknowledge", outcome="success")
    assert audit.actor == world.a_learner and audit.ip_address == "10.0.0.7"
    assert audit.target == "v1"
    assert learner_policy(world.a_learner)["open_request"] is None
    # a double click returns the same record
    again = services.policy_acknowledge(user=world.a_learner, version=published, typed_name=name)
    assert again.pk == ack.pk


def test_wrong_name_is_refused_on_the_field_and_audited(world, published):
    with pytest.raises(ValidationError) as refused:
        services.policy_acknowledge(
            user=world.a_learner, version=published, typed_name="Somebody Else"
        )
    assert "typed_name" in refused.value.message_dict
    assert not Acknowledgement.objects.exists()
    assert AuditEvent.objects.filter(action="policy.acknowledge", outcome="rejected").exists()


def test_new_version_asks_again_and_keeps_the_old_acknowledgement(world, published):
    name = world.a_learner.full_name
    services.policy_acknowledge(user=world.a_learner, version=published, typed_name=name)
    second = publish(world.a_admin, world.a, title="AI rules, revised")
    state = learner_policy(world.a_learner)
    assert state["version"] == second and state["open_request"] is not None
    with pytest.raises(ValidationError):  # the old version can no longer be acknowledged
        services.policy_acknowledge(user=world.a_learner, version=published, typed_name=name)
    services.policy_acknowledge(user=world.a_learner, version=second, typed_name=name)
    assert Acknowledgement.objects.filter(user=world.a_learner).count() == 2


def test_yearly_policy_asks_again_after_365_days(world):
    version = publish(world.a_admin, world.a, yearly=True)
    name = world.a_learner.full_name
    long_ago = timezone.now() - datetime.timedelta(days=366)
    services.policy_acknowledge(
        user=world.a_learner, version=version, typed_name=name, now=long_ago
    )
    state = learner_policy(world.a_learner)
    assert state["open_request"] is not None and state["open_request"].renewal
    ack = services.policy_acknowledge(user=world.a_learner, version=version, typed_name=name)
    assert ack.round == 1
    assert learner_policy(world.a_learner)["open_request"] is None


def test_person_of_b_cannot_acknowledge_a_policy(world, published):
    with pytest.raises(PermissionDenied):
        services.policy_acknowledge(
            user=world.b_learner, version=published, typed_name=world.b_learner.full_name
        )
