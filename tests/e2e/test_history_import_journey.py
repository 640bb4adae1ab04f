"""An agency admin goes from the home page to Manage > Import past completions, uploads a CSV
with a line to fix (every line listed, nothing imported), then the corrected file; the page
passes axe at each step, in English and in French."""

import datetime

import pytest

from agencies.models import Role
from learning.models import Enrollment
from tests.builders import build_course, make_member
from tests.e2e.conftest import nav, sign_in, switch_language
from tests.factories import AgencyFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_admin_imports_past_completions(page, axe_check, tmp_path):
    agency = AgencyFactory(name="Agency of Examples", slug="examples", domains=["example.gov"])
    make_member(agency, Role.AGENCY_ADMIN, email="admin@example.gov")
    trainer = make_member(agency, Role.TRAINER, email="trainer@example.gov")
    make_member(agency, Role.LEARNER, email="ana@example.gov")
    course = build_course(trainer, agency, publish=True)
    day = (datetime.date.today() - datetime.timedelta(days=40)).isoformat()
    wrong = tmp_path / "wrong.csv"
    wrong.write_text(
        f"email,course,completed_on\nana@example.gov,{course.slug},{day}\nx@y.gov,{course.slug},{day}\n"
    )
    right = tmp_path / "right.csv"
    right.write_text(f"email,course,completed_on,score\nana@example.gov,{course.slug},{day},90\n")

    sign_in(page, "admin@example.gov", axe_check=axe_check)
    nav(page, "Manage", "Import past completions")
    page.wait_for_url("**/agency/history-import/")
    axe_check(page)
    page.locator("#id_file").set_input_files(str(wrong))
    page.get_by_role("button", name="Import").click()
    page.get_by_text("Line 3: nobody in the agency has this address.").wait_for()
    assert not Enrollment.objects.exists()
    axe_check(page)
    page.locator("#id_file").set_input_files(str(right))
    page.get_by_role("button", name="Import").click()
    page.get_by_text("1 completion imported.").wait_for()
    assert Enrollment.objects.get().imported_at is not None
    axe_check(page)

    switch_language(page, "Français")
    assert (
        page.get_by_role("heading", level=1).inner_text() == "Importer des achèvements antérieurs"
    )
    axe_check(page)
