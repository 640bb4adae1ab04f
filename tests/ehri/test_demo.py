"""The demo agency's completions export as a valid feed."""

from pathlib import Path

import pytest
from lxml import etree

from agencies.dates import agency_date
from agencies.demo import seed_people
from agencies.models import Agency, Membership
from ehri.demo import seed_ehri
from ehri.feed import feed_build
from ehri.writers import write_xml

from ..builders import simple_course
from .conftest import complete

pytestmark = pytest.mark.django_db


def test_the_demo_agency_is_coded_and_its_completions_make_a_valid_feed(tmp_path):
    seed_people()
    agency = Agency.objects.get(slug="demo-agency")
    admin = Membership.objects.filter(agency=agency, role="agency_admin").first().user
    course = simple_course(admin, agency, slug="demo-ehri", title="Demo EHRI")
    learner = Membership.objects.filter(agency=agency, role="learner").first().user
    complete(learner, course)
    first = seed_ehri()
    assert first["courses"] >= 1 and first["people"] >= 2
    assert seed_ehri() == {"courses": 0, "sessions": 0, "people": 0}
    today = agency_date(agency.time_zone)  # the month as the agency counts it (New York)
    feed = feed_build(agency=agency, start=today.replace(day=1), end=today)
    assert feed.rejections == [] and len(feed.records) == 1
    path = tmp_path / "feed.xml"
    with path.open("wb") as f:
        write_xml(feed, f)
    schema = etree.XMLSchema(etree.parse(str(Path("ehri/schema/training_feed.xsd"))))
    assert schema.validate(etree.parse(str(path))), schema.error_log
