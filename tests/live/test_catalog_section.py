"""The catalog's live-session section reads only what it shows, in one query, and lists
what `upcoming_sessions` lists (audience, order, the learner's own status)."""

from live import services
from live.selectors import catalog_section, catalog_section_key, upcoming_sessions

from .conftest import schedule


def _shown(sessions):
    return [(s.pk, s.title, s.starts_at, s.format, s.language, s.my_status) for s in sessions]


def test_catalog_section_lists_what_upcoming_sessions_lists(world, django_assert_num_queries):
    sessions = [schedule(world.a_trainer, days=d, title=f"Session {d}") for d in (5, 2, 3, 4)]
    schedule(world.b_admin, days=1, title="Agency B only")
    services.registration_create(actor=world.a_learner, session=sessions[2])
    expected = _shown(upcoming_sessions(world.a_learner)[:3])
    with django_assert_num_queries(1):
        section = catalog_section(world.a_learner)
    assert _shown(section["rows"]) == expected
    assert [s.title for s in section["rows"]] == ["Session 2", "Session 3", "Session 4"]
    assert section["rows"][1].my_status == "registered"
    other = [s.title for s in catalog_section(world.b_learner)["rows"]]
    assert other == ["Agency B only"]


def test_catalog_section_labels_and_key_follow_what_it_shows(world):
    session = schedule(world.a_trainer, days=2, title="Session")
    section = catalog_section(world.a_learner)
    assert section["rows"][0].format_label == session.get_format_display()
    assert section["rows"][0].language_label == session.get_language_display()
    before = catalog_section_key(section)
    services.registration_create(actor=world.a_learner, session=session)
    assert catalog_section_key(catalog_section(world.a_learner)) != before
