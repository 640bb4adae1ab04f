"""A real LRS: ralph-malph (`ralph`'s API under uvicorn, file-system backend) on loopback.

Academy sends the statements of a whole course, reads them back through the LRS's
`GET /statements` and checks count, verbs, ids and order; then the LRS is stopped in the middle
of the deliveries (after it stored a batch whose answer never reached Academy) and restarted,
and every statement is in it exactly once.

ralph pins its own FastAPI, pydantic and click, so it lives in a virtualenv of its own:
`make ralph` builds var/ralph-venv (CI runs it before the integration tests; RALPH_VENV
points elsewhere).
"""

import json
import os
import socket
import subprocess
import time
import urllib.request
from base64 import b64encode
from pathlib import Path

import pytest

from learning import services as learning
from tests.builders import build_course, right_answers, wrong_answers
from xapi import client, services
from xapi.models import Activity, OutboxStatement, Outcome

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

BASE_DIR = Path(__file__).resolve().parents[2]
RALPH_VENV = Path(os.environ.get("RALPH_VENV", BASE_DIR / "var" / "ralph-venv"))
LAUNCHER = Path(__file__).with_name("ralph_lrs.py")
USER, PASSWORD = "academy", "ralph-test-password"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Ralph:
    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.port = _free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}/xAPI/"
        (workdir / "data").mkdir(parents=True, exist_ok=True)
        self.env = {
            **os.environ,
            "RALPH_APP_DIR": str(workdir / "app"),
            "RALPH_AUTH_FILE": str(workdir / "app" / "auth.json"),
            "RALPH_RUNSERVER_BACKEND": "fs",
            "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(workdir / "data"),
        }
        subprocess.run(
            [
                RALPH_VENV / "bin" / "ralph",
                "auth",
                "-u",
                USER,
                "-p",
                PASSWORD,
                "-s",
                "all",
                "-M",
                "mailto:lrs@academy.gov",
                "-w",
            ],  # fmt: skip
            env=self.env,
            cwd=workdir,
            check=True,
            capture_output=True,
        )
        self.process = None

    def start(self):
        log = open(self.workdir / "ralph.log", "ab")  # noqa: SIM115 (lives with the process)
        self.process = subprocess.Popen(
            [RALPH_VENV / "bin" / "python", LAUNCHER, "127.0.0.1", str(self.port)],
            env=self.env,
            cwd=self.workdir,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                self.get_statements()
                return
            except OSError:
                time.sleep(0.2)
        pytest.fail("ralph did not start:\n" + (self.workdir / "ralph.log").read_text()[-3000:])

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def get_statements(self) -> list[dict]:
        """Every statement stored, in the order it was stored (following `more` links).

        ralph's file-system backend lists the file in the order it was written, and reverses
        that with `ascending=true`; so no `ascending` here."""
        auth = b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        url = f"{self.endpoint}statements?limit=500"
        out = []
        while url:
            request = urllib.request.Request(
                url,
                headers={"Authorization": f"Basic {auth}", "X-Experience-API-Version": "1.0.3"},
            )
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                page = json.loads(response.read())
            out += page["statements"]
            more = page.get("more")
            url = f"http://127.0.0.1:{self.port}{more}" if more else None
        return out


@pytest.fixture
def ralph(tmp_path):
    if not (RALPH_VENV / "bin" / "ralph").exists():
        message = f"ralph-malph is not installed in {RALPH_VENV}: run `make ralph`."
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    lrs = Ralph(tmp_path / "ralph")
    lrs.start()
    yield lrs
    lrs.stop()


@pytest.fixture
def academy_to_ralph(world, ralph, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.lrs_config_save(
            actor=world.a_admin,
            agency=world.a,
            endpoint=ralph.endpoint,
            key=USER,
            secret=PASSWORD,
            version="1.0.3",
            actor_format="account",
            activities=list(Activity.values),
        )
    course = build_course(world.a_trainer, world.a, publish=True)
    enrollment = learning.enrollment_create(user=world.a_learner, course=course)
    for key in ("what-is-ai", "history", "prompts"):
        learning.lesson_complete(enrollment=enrollment, lesson_key=key)
    attempt = learning.attempt_start(enrollment=enrollment, quiz_key="check")
    learning.attempt_submit(attempt=attempt, answers=wrong_answers(attempt))
    attempt = learning.attempt_start(enrollment=enrollment, quiz_key="check")
    learning.attempt_submit(attempt=attempt, answers=right_answers(attempt))
    rows = list(OutboxStatement.objects.order_by("created_at", "id"))
    assert len(rows) == 14
    return rows


VERBS = [
    "registered",
    "experienced",
    "experienced",
    "experienced",
    "attempted",
    "answered",
    "answered",
    "failed",
    "attempted",
    "answered",
    "answered",
    "passed",
    "completed",
    "earned",
]


def test_ralph_receives_a_whole_course_as_valid_xapi(world, ralph, academy_to_ralph):
    totals = services.outbox_deliver(agency_id=world.a.pk, batch_size=5)
    assert totals == {"sent": 14, "failed": 0, "down": ""}
    stored = ralph.get_statements()
    assert len(stored) == 14
    assert [s["id"] for s in stored] == [str(row.statement_id) for row in academy_to_ralph]
    assert [s["verb"]["id"].rsplit("/", 1)[1] for s in stored] == VERBS
    for s, row in zip(stored, academy_to_ralph, strict=True):
        sent = json.loads(row.body)
        assert {k: s[k] for k in sent} == sent  # stored as sent, plus stored/authority
        assert s["stored"] and s["authority"]


def test_lrs_stopped_mid_batch_every_statement_arrives_exactly_once(world, ralph, academy_to_ralph):
    calls = []

    def post_then_stop_the_lrs(**kwargs):
        calls.append(len(kwargs["bodies"]))
        answer = client.post_statements(**kwargs)
        if len(calls) == 2:
            # The LRS stored the second batch and went down before Academy heard back.
            ralph.stop()
            return client.Answer(0, "ConnectionResetError: the LRS went away")
        return answer

    totals = services.outbox_deliver(
        agency_id=world.a.pk, batch_size=4, post=post_then_stop_the_lrs
    )
    assert totals["sent"] == 4 and totals["down"]
    assert OutboxStatement.objects.filter(status=Outcome.WAITING).count() == 10
    # Still down: the next run finds nobody listening and leaves everything waiting.
    assert services.outbox_deliver(agency_id=world.a.pk, batch_size=4)["down"]
    assert OutboxStatement.objects.filter(status=Outcome.WAITING).count() == 10

    ralph.start()
    totals = services.outbox_deliver(agency_id=world.a.pk, batch_size=4)
    assert totals == {"sent": 10, "failed": 0, "down": ""}
    stored = ralph.get_statements()
    ids = [s["id"] for s in stored]
    assert len(ids) == len(set(ids)) == 14
    assert ids == [str(row.statement_id) for row in academy_to_ralph]
    assert not OutboxStatement.objects.exclude(status=Outcome.SENT).exists()
