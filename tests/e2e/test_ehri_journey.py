"""An agency admin goes from the home page to Manage > OPM training feed (EHRI): sets the
subelement code, sees a completion OPM would reject, follows the link to code the course,
imports an employee id, and produces the feed, which downloads; axe at each step, the page in
French, and the live sessions' coding page, where it overrides the coding of another agency's
session shared with every agency for its own feed."""

from datetime import timedelta

import pytest
from django.utils import timezone

from agencies.models import Role
from ehri.models import FeedExport, SessionCoding
from learning import services as learning
from live import services as live
from live.models import LiveSession, Sharing
from tests.builders import finish_course, make_member, simple_course
from tests.e2e.conftest import nav, sign_in, switch_language
from tests.factories import AgencyFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_admin_codes_a_course_and_produces_the_feed(page, axe_check, tmp_path):
    agency = AgencyFactory(name="Agency of Examples", slug="examples", domains=["example.gov"])
    make_member(agency, Role.AGENCY_ADMIN, email="admin@example.gov")
    trainer = make_member(agency, Role.TRAINER, email="trainer@example.gov")
    ana = make_member(agency, Role.LEARNER, email="ana@example.gov")
    course = simple_course(trainer, agency, slug="records", title="Records management")
    finish_course(learning.enrollment_create(user=ana, course=course))
    # Another agency's session, shared with every agency.
    elsewhere = AgencyFactory(name="Agency of Elsewhere", slug="elsewhere", domains=["else.gov"])
    host = make_member(elsewhere, Role.TRAINER, email="host@else.gov")
    starts = (timezone.now() + timedelta(days=3)).replace(microsecond=0)
    shared = live.session_create(
        actor=host,
        units=[],
        title="Shared records clinic",
        description="",
        format="online",
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        capacity=10,
        location="",
        join_url="https://meet.example.gov/clinic",
        host=host,
        language="en",
        course=None,
    )
    LiveSession.objects.filter(pk=shared.pk).update(sharing=Sharing.APPROVED)
    ids = tmp_path / "ids.csv"
    ids.write_text("email,employee_id\nana@example.gov,E-2001\n")

    sign_in(page, "admin@example.gov", axe_check=axe_check)
    nav(page, "Manage", "OPM training feed (EHRI)")
    page.wait_for_url("**/agency/ehri/")
    axe_check(page)
    page.get_by_label("Agency subelement code").fill("EX01")
    page.get_by_role("button", name="Save settings").click()
    page.get_by_text("OPM reporting settings saved.").wait_for()

    # This month's completion, checked: the course is not coded and Ana has no id yet.
    today = timezone.localdate()
    page.locator("#id_start").fill(today.replace(day=1).isoformat())
    page.locator("#id_end").fill(today.isoformat())
    page.get_by_role("button", name="Check", exact=True).click()
    page.get_by_text("1 completion OPM would reject").wait_for()
    axe_check(page)
    page.get_by_role("link", name="Set the employee id").click()
    page.wait_for_url("**/agency/ehri/employee-ids/")
    axe_check(page)
    page.locator("#id_file").set_input_files(str(ids))
    page.get_by_role("button", name="Import").click()
    page.get_by_text("1 employee ids imported.").wait_for()

    page.go_back()
    page.go_back()
    page.reload()
    page.get_by_role("link", name="Code the course").click()
    page.wait_for_url(f"**/agency/ehri/courses/{course.pk}/")
    axe_check(page)
    # Delivery (technology based) and source (in-house) start at the online course's defaults.
    assert page.get_by_label("Training delivery type code").input_value() == "Technology Based"
    for label, value in (
        ("Training purpose type", "Improve/Maintain Present Performance"),
        ("Training type code", "Training Program Area"),
    ):
        page.get_by_role("combobox", name=label, exact=True).select_option(value)
    page.get_by_role("button", name="Save the coding").click()
    page.get_by_text("EHRI coding saved.").wait_for()

    page.go_back()
    page.go_back()
    page.reload()
    page.get_by_text("1 completion ready to report").wait_for()
    page.get_by_role("button", name="Produce the feed for this period").click()
    page.get_by_text("The feed is being produced").wait_for()
    assert FeedExport.objects.get().status == "done"
    with page.expect_download() as download:
        page.get_by_role("link", name="XML", exact=True).click()
    assert b"E-2001" in open(download.value.path(), "rb").read()
    axe_check(page)

    switch_language(page, "Français")
    assert (
        page.get_by_role("heading", level=1).inner_text() == "Flux de formation pour l’OPM (EHRI)"
    )
    axe_check(page)

    # The live sessions' coding page, in French: the agency has none yet.
    page.get_by_role("link", name="Coder vos sessions en direct pour l’OPM").click()
    page.wait_for_url("**/agency/ehri/sessions/")
    page.get_by_text("Aucune session en direct pour le moment.").wait_for()
    axe_check(page)

    # Another agency's shared session: the admin saves the agency's own coding (in French).
    page.get_by_role("link", name="Shared records clinic").click()
    page.wait_for_url(f"**/agency/ehri/sessions/{shared.pk}/")
    page.get_by_text("est partagée avec votre organisme").wait_for()
    axe_check(page)
    page.locator("#id_training_purpose_type").select_option("Retention")
    page.locator("#id_training_type_code").select_option("Basic Training Area")
    page.get_by_role("button", name="Enregistrer le codage").click()
    page.get_by_text("Codage EHRI enregistré.").wait_for()
    assert SessionCoding.objects.get(session=shared, agency=agency).training_purpose_type == (
        "Retention"
    )
    assert not SessionCoding.objects.filter(session=shared, agency=elsewhere).exists()
    page.get_by_role("link", name="Retour au codage des sessions en direct").click()
    page.wait_for_url("**/agency/ehri/sessions/")
    page.get_by_text("Celui de votre organisme").wait_for()
    axe_check(page)
