import pytest
from django.urls import reverse

from academy.registry import AlreadyRegistered
from learning.registries import StepKind, step_kinds, step_url


def test_built_in_step_kinds_come_first_and_a_registered_kind_gets_its_own_page():
    assert step_kinds.keys()[:2] == ["lesson", "quiz"]
    assert step_url("intro-ai", {"kind": "quiz", "key": "check"}) == reverse(
        "learning:quiz", args=["intro-ai", "check"]
    )

    with step_kinds.temporary():
        step_kinds.register(
            "workshop", StepKind(url_name="learning:lesson", nav_prefix="Workshop:")
        )
        assert step_url("intro-ai", {"kind": "workshop", "key": "task"}) == reverse(
            "learning:lesson", args=["intro-ai", "task"]
        )
        with pytest.raises(AlreadyRegistered):
            step_kinds.register("quiz", StepKind(url_name="learning:quiz"))

    with pytest.raises(KeyError):
        step_url("intro-ai", {"kind": "workshop", "key": "task"})


def test_the_player_links_and_names_steps_as_their_kind_says(world, enrollment, client_for):
    body = (
        client_for(world.a_learner)
        .get(reverse("learning:lesson", args=[enrollment.course.slug, "history"]))
        .content.decode()
    )
    assert f'href="{reverse("learning:quiz", args=[enrollment.course.slug, "check"])}"' in body
    assert "Quiz: Check" in body
