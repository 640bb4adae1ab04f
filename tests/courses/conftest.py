"""Course fixtures: a small valid course built through the services (tests/builders.py)."""

from pathlib import Path

import pytest

from tests.builders import build_course

BUNDLES = Path(__file__).parent / "bundles"


@pytest.fixture
def course_a(world):
    """A published course owned by agency A (owner-only visibility)."""
    return build_course(world.a_trainer, world.a, publish=True)
