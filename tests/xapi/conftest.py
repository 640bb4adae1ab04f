"""xAPI fixtures: Agency A's published course, an LRS configured for A, a fake LRS in-process."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.builders import build_course
from xapi import services
from xapi.models import Activity


@pytest.fixture
def course(world):
    return build_course(world.a_trainer, world.a, publish=True)


class FakeLrs:
    """A learning record store in a thread on loopback: stores statements by id, answers like
    an LRS (200 with the ids, 409 for an id already stored with other content, 204 when all
    are stored already), and can be told to be down (503) or to refuse some statements (400)."""

    def __init__(self):
        self.stored: dict[str, dict] = {}
        self.order: list[str] = []
        self.requests: list[dict] = []
        self.down = False
        self.refuse_ids: set[str] = set()
        self.status_override: int | None = None
        lrs = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length", 0))
                raw = self.rfile.read(length)
                lrs.requests.append(
                    {
                        "path": self.path,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "body": raw,
                    }
                )
                if lrs.down:
                    return self._answer(503, {"error": "down"})
                if lrs.status_override:
                    return self._answer(lrs.status_override, {"error": "nope"})
                batch = json.loads(raw)
                bad = [s["id"] for s in batch if s["id"] in lrs.refuse_ids]
                if bad:
                    return self._answer(400, {"error": f"invalid statement {bad[0]}"})
                if any(s["id"] in lrs.stored and lrs.stored[s["id"]] != s for s in batch):
                    return self._answer(409, {"error": "conflict"})
                new = [s for s in batch if s["id"] not in lrs.stored]
                for s in new:
                    lrs.stored[s["id"]] = s
                    lrs.order.append(s["id"])
                if not new:
                    return self._answer(204, None)
                return self._answer(200, [s["id"] for s in batch])

            def _answer(self, status, payload):
                body = b"" if payload is None else json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.endpoint = f"http://127.0.0.1:{self.server.server_port}/xAPI/"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake_lrs():
    lrs = FakeLrs()
    yield lrs
    lrs.close()


def configure(world, agency, admin, endpoint="http://127.0.0.1:9/xAPI/", **kw):
    return services.lrs_config_save(
        actor=admin,
        agency=agency,
        endpoint=endpoint,
        key=kw.pop("key", "academy"),
        secret=kw.pop("secret", "s3cret-value"),
        version=kw.pop("version", "1.0.3"),
        actor_format=kw.pop("actor_format", "account"),
        activities=kw.pop("activities", list(Activity.values)),
        **kw,
    )


@pytest.fixture
def lrs_a(world, fake_lrs, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return configure(world, world.a, world.a_admin, endpoint=fake_lrs.endpoint)
