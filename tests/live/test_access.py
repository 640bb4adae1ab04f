"""`audience_q` (SQL, for lists and the registration check) and `audience_contains` (Python,
for the bulk paths: assigning a session, standing assignments reaching a new member) say the
same thing: checked over every kind of audience and every kind of placement, so that the two
cannot drift apart."""

import pytest

from agencies.memberships import membership_set_active, membership_update
from agencies.models import Membership, Role
from agencies.services import unit_update
from live import services
from live.access import audience_contains, audience_q
from live.models import LiveSession
from tests.builders import make_member

from .conftest import schedule

pytestmark = pytest.mark.django_db


@pytest.fixture
def sessions(world):
    """Agency A: HQ > (Digital > Data, Ops); agency B: Branch. One session per kind of audience."""
    a, b = world.a_trainer, world.b_admin

    def shared(session, *, approve):
        services.session_sharing_set(actor=a, session=session, every_agency=True)
        if approve is not None:
            services.session_sharing_decide(
                actor=world.platform_admin, session=session, approve=approve
            )
        return session

    return {
        "a: agency-wide": schedule(a),
        "a: HQ": schedule(a, units=[world.hq]),
        "a: Digital": schedule(a, units=[world.digital]),
        "a: Data": schedule(a, units=[world.data]),
        "a: Data and Ops": schedule(a, units=[world.data, world.ops]),
        "a: Ops, every agency": shared(schedule(a, units=[world.ops]), approve=True),
        "a: agency-wide, every agency": shared(schedule(a), approve=True),
        "a: Digital, every agency requested": shared(
            schedule(a, units=[world.digital]), approve=None
        ),
        "a: Digital, every agency refused": shared(
            schedule(a, units=[world.digital]), approve=False
        ),
        "b: agency-wide": schedule(b, host=b),
        "b: Branch": schedule(b, host=b, units=[world.branch]),
    }


def placements(world) -> dict:
    """Each person as the callers read them: (agency id, unit path or None) of their
    membership, read again from the database."""
    inactive = make_member(world.a, Role.LEARNER, world.data, email="gone@a.gov")
    membership_set_active(actor=world.a_admin, membership=inactive.membership, active=False)
    mover = make_member(world.a, Role.LEARNER, world.data, email="mover@a.gov")
    membership_update(
        actor=world.a_admin, membership=mover.membership, role=Role.LEARNER, unit=world.ops
    )
    people = {
        "a admin (no unit)": world.a_admin,
        "a manager (Digital)": world.a_manager,
        "a learner (Data, below Digital)": world.a_learner,
        "a learner (Ops, sibling of Digital)": world.a_ops_learner,
        "a inactive (Data)": inactive,
        "a moved from Data to Ops": mover,
        "b learner (Branch)": world.b_learner,
        "b admin (no unit)": world.b_admin,
    }
    out = {}
    for name, user in people.items():
        membership = Membership.objects.select_related("unit").get(user=user)
        out[name] = (membership.agency_id, membership.unit.path if membership.unit_id else None)
    return out


def in_sql(session, agency_id, unit_path) -> bool:
    return LiveSession.objects.filter(
        audience_q(agency_id=agency_id, unit_path=unit_path), pk=session.pk
    ).exists()


def in_python(session, agency_id, unit_path) -> bool:
    session = LiveSession.objects.get(pk=session.pk)
    paths = list(session.units.values_list("path", flat=True))
    return audience_contains(
        session, session_unit_paths=paths, agency_id=agency_id, unit_path=unit_path
    )


def matrix(sessions, people, check) -> dict:
    return {
        (session_name, person): check(session, *placement)
        for session_name, session in sessions.items()
        for person, placement in people.items()
    }


def test_the_sql_and_the_python_audience_agree_on_every_session_and_person(world, sessions):
    people = placements(world)
    assert matrix(sessions, people, in_python) == matrix(sessions, people, in_sql)


def test_they_agree_after_a_unit_moves_under_another(world, sessions):
    unit_update(actor=world.a_admin, unit=world.data, name="Data", parent=world.ops)
    people = placements(world)
    python = matrix(sessions, people, in_python)
    assert python == matrix(sessions, people, in_sql)
    # Data now sits under Ops: its people are in Ops' audience, no longer in Digital's.
    learner = "a learner (Data, below Digital)"
    assert python[("a: Data and Ops", learner)] and python[("a: HQ", learner)]
    assert not python[("a: Digital", learner)]


def test_the_audiences_agreed_on_are_the_right_ones(world, sessions):
    """Both could be wrong together: the expected audience of each session, by hand."""
    people = placements(world)
    python = matrix(sessions, people, in_python)
    everyone = set(people)
    a_all = {p for p in people if p.startswith("a ")}
    # The audience does not look at whether a membership is active: its callers do (a
    # deactivated person cannot sign in, register or be targeted).
    digital = {"a manager (Digital)", "a learner (Data, below Digital)", "a inactive (Data)"}
    expected = {
        "a: agency-wide": a_all,
        "a: HQ": a_all - {"a admin (no unit)"},
        "a: Digital": digital,
        "a: Data": {"a learner (Data, below Digital)", "a inactive (Data)"},
        "a: Data and Ops": {
            "a learner (Data, below Digital)",
            "a inactive (Data)",
            "a learner (Ops, sibling of Digital)",
            "a moved from Data to Ops",
        },
        "a: Ops, every agency": everyone,
        "a: agency-wide, every agency": everyone,
        "a: Digital, every agency requested": digital,  # not approved yet: its own audience
        "a: Digital, every agency refused": digital,
        "b: agency-wide": {"b learner (Branch)", "b admin (no unit)"},
        "b: Branch": {"b learner (Branch)"},
    }
    for session_name in sessions:
        got = {person for person in people if python[(session_name, person)]}
        assert got == expected[session_name], session_name
