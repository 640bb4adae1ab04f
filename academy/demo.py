"""The demo world, assembled from each app's seeders in dependency order."""

from django.conf import settings

from agencies.demo import seed_people
from courses.demo import seed_courses
from credentials.demo import seed_credentials
from ehri.demo import seed_ehri
from learning.demo import seed_certificate_expiry, seed_learning
from live.demo import seed_live_sessions
from policies.demo import seed_ai_policy
from practice.demo import seed_practice
from reminders.demo import seed_assignments, seed_certificate_refreshers
from reports.demo import seed_report_history
from sso.demo import seed_sso

DEMO_SIGN_INS = [
    f"  Sign in at http://127.0.0.1:8000 with password {settings.ACADEMY_DEMO_PASSWORD!r}:",
    "    learner@demo.gov        (learner, Demo Agency)",
    "    trainer@demo.gov        (trainer, Demo Agency)",
    "    manager@demo.gov        (manager of Digital Services, Demo Agency)",
    "    agencyadmin@demo.gov    (agency admin, Demo Agency)",
    "    platformadmin@demo.gov  (platform admin, all agencies; sets up MFA at first sign-in)",
    "    learner@other-demo.gov  (learner, Other Demo Agency)",
    "  SSO Demo Agency signs in through the test identity provider (no password): type",
    "    sam.rivera@sso-demo.gov (learner) or alex.morgan@sso-demo.gov (agency admin),",
    "    Continue, then choose that person on the test provider's page.",
]


def run_seeders(*, stdout):
    seed_people()
    stdout.write("Agencies, units and people: ready.")

    if seed_sso() is not None:
        stdout.write("Agency sign-in: SSO Demo Agency uses the test identity provider.")

    report = seed_courses()
    stdout.write(
        f"Courses: {len(report['published'])} published, "
        f"{len(report['unchanged'])} unchanged; paths: {len(report['paths'])}."
    )

    progress = seed_learning()
    stdout.write(
        f"Learner progress: {progress['learners']} learners seeded, "
        f"{progress['skipped']} already had progress."
    )

    practice = seed_practice()
    stdout.write(
        f"Practice tasks: {practice['submissions']} submissions in every state (one waiting "
        f"longer than the review target: its reviewer is reminded within a minute of start), "
        f"{practice['passed']} practice steps passed for learners who had done the rest, "
        f"{practice['reviewers']} course reviewers named."
    )

    assigned = seed_assignments()
    stdout.write(
        f"Assignments: {assigned} created; the worker sends their reminders within a "
        "minute of start."
    )

    expiring = seed_certificate_expiry()
    refreshers = seed_certificate_refreshers()
    stdout.write(
        f"Certificates that expire: {expiring} learners of a yearly course (one expiring, one "
        f"expired), {refreshers} expiring reminders with the refresher assigned."
    )

    history = seed_report_history()
    stdout.write(
        f"Dashboard history: {history['moved']} completions spread over 12 weeks, "
        f"{history['snapshot_rows']} snapshot rows written."
    )

    live = seed_live_sessions()
    stdout.write(f"Live sessions: {live} scheduled, past ones with attendance.")

    ehri = seed_ehri()
    stdout.write(
        f"OPM training feed (EHRI): {ehri['courses']} courses and {ehri['sessions']} live "
        f"sessions coded, {ehri['people']} employee ids."
    )

    acknowledged = seed_ai_policy()
    stdout.write(f"AI policy: published for Demo Agency, {acknowledged} acknowledgements.")

    credentials = seed_credentials()
    stdout.write(f"Open Badges credentials: {credentials} certificates signed.")
