import pytest

from agencies.demo import seed_people
from policies.cells import expected_cells
from policies.demo import seed_ai_policy
from policies.models import Acknowledgement, AcknowledgementCell, PolicyVersion

pytestmark = pytest.mark.django_db


def test_demo_agency_has_a_bilingual_policy_some_have_acknowledged_once():
    seed_people()
    recorded = seed_ai_policy()
    version = PolicyVersion.objects.get(agency__slug="demo-agency")
    assert "M-25-21" in version.html_en and "M-25-21" in version.html_fr
    assert "FOIA" in version.html_en and "<table>" in version.html_en
    assert "courriel" in version.body_fr and "e-mail" not in version.body_fr
    assert recorded > 3 and Acknowledgement.objects.count() == recorded
    assert not Acknowledgement.objects.filter(user__email="learner@demo.gov").exists()
    # the dashboard's cells count each acknowledging person once, as the recompute would
    assert sum(AcknowledgementCell.objects.values_list("n", flat=True)) == recorded
    cells = AcknowledgementCell.objects.filter(agency=version.agency)
    assert {
        (AcknowledgementCell, c.agency_id, c.unit_id, c.version_id, c.day): {"n": c.n}
        for c in cells
    } == expected_cells(version.agency_id)
    assert seed_ai_policy() == 0  # runs once
    assert PolicyVersion.objects.count() == 1
