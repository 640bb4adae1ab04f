"""Attendance figures: aggregate cells kept by the services, recomputed nightly, shown on the
dashboard and on the manager's page per unit."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from live import services
from live.models import AttendanceCount
from reports.services.recompute import aggregates_recompute_agency

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(world, session):
    services.registration_create(actor=world.a_learner, session=session)
    services.registration_create(actor=world.a_ops_learner, session=session)
    services.registration_create(actor=world.a_manager, session=session)
    with time_machine.travel(session.starts_at + timedelta(minutes=5)):
        services.attendance_record(
            actor=world.a_trainer,
            session=session,
            attended_user_ids=[world.a_learner.pk, world.a_manager.pk],
        )
    return session


def cells():
    return {
        (c.unit.name, c.seated, c.attended) for c in AttendanceCount.objects.select_related("unit")
    }


def test_services_keep_the_cells_and_the_recompute_agrees(world, held):
    assert cells() == {("Data", 1, 1), ("Ops", 1, 0), ("Digital", 1, 1)}
    assert aggregates_recompute_agency(agency_id=world.a.pk, repair=False) == []
    AttendanceCount.objects.filter(unit=world.ops).update(seated=7)
    drift = aggregates_recompute_agency(agency_id=world.a.pk)
    assert [d.table for d in drift] == ["AttendanceCount"]
    assert cells() == {("Data", 1, 1), ("Ops", 1, 0), ("Digital", 1, 1)}


def test_dashboard_shows_rate_and_no_shows_once_the_session_ended(world, held):
    with time_machine.travel(held.ends_at + timedelta(hours=1)):
        client = Client()
        client.force_login(world.a_admin)
        page = client.get(reverse("reports:dashboard")).content.decode()
        manager = Client()
        manager.force_login(world.a_manager)
        by_unit = manager.get(reverse("live:by_unit")).content.decode()
        other = Client()
        other.force_login(world.b_admin)
        other_page = other.get(reverse("live:by_unit")).content.decode()
        learner = Client()
        learner.force_login(world.a_learner)
        assert learner.get(reverse("live:by_unit")).status_code == 404
    assert "Attendance rate" in page and "67%" in page  # 2 of 3
    assert "Data" in by_unit and "Digital" in by_unit and "Ops" not in by_unit
    assert "Data" not in other_page and "No one you manage" in other_page
