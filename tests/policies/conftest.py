import pytest

from policies import services

POLICY_EN = "# Rules\n\nUse **approved** tools only.\n\n<script>alert(1)</script>"
POLICY_FR = "# Règles\n\nN'utilisez que des outils **approuvés**."


def publish(admin, agency, *, title="AI rules", body_en=POLICY_EN, body_fr=POLICY_FR, **terms):
    services.policy_draft_save(
        actor=admin,
        agency=agency,
        title=title,
        body_en=body_en,
        body_fr=body_fr,
        due_days=terms.get("due_days", 30),
        yearly=terms.get("yearly", False),
    )
    return services.policy_publish(actor=admin, agency=agency)


@pytest.fixture
def published(world):
    return publish(world.a_admin, world.a)
