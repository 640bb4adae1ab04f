"""A real Celery worker process on a real Redis broker runs Academy's tasks."""

import os
import time
import uuid
from pathlib import Path

import pytest
from celery import Celery

from tests.celery_worker import redis_reachable, running_worker

pytestmark = pytest.mark.integration

REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
REDIS_URL = f"redis://{REDIS_HOST}:{REDIS_PORT}/15"
BASE_DIR = Path(__file__).resolve().parents[2]
TIMEOUT = 60


@pytest.fixture
def redis_broker():
    if not redis_reachable(REDIS_HOST, REDIS_PORT):
        message = f"Redis is not reachable on {REDIS_HOST}:{REDIS_PORT}; start it to run this test."
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return REDIS_URL


@pytest.fixture
def worker(redis_broker, tmp_path):
    """A `celery worker` subprocess on the Redis broker, with a throwaway SQLite database."""
    log_path = tmp_path / "worker.log"
    overrides = {
        "CELERY_BROKER_URL": redis_broker,
        "CELERY_RESULT_BACKEND": redis_broker,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'worker.sqlite3'}",
        "ACADEMY_VAR_DIR": str(tmp_path / "var"),
        "DJANGO_DEBUG": "true",
    }
    with running_worker(overrides, log_path=log_path) as process:
        yield process, log_path


@pytest.fixture
def client_app(redis_broker):
    """A Celery app of our own that only sends, configured for the worker's broker."""
    app = Celery(
        "academy-test-client", broker=redis_broker, backend=redis_broker, set_as_current=False
    )
    app.conf.update(task_serializer="json", accept_content=["json"], result_serializer="json")
    yield app
    app.close()


def _result(async_result, worker_process, log_path):
    try:
        return async_result.get(timeout=TIMEOUT)
    except Exception:
        alive = worker_process.poll() is None
        pytest.fail(
            f"No result in {TIMEOUT}s (worker alive: {alive}). Worker log:\n"
            + log_path.read_text()[-4000:]
        )


def test_worker_answers_ping_with_token(worker, client_app):
    process, log_path = worker
    token = uuid.uuid4().hex
    result = client_app.send_task("academy.tasks.ping_task", args=[token])
    assert _result(result, process, log_path) == f"pong:{token}"


def test_worker_runs_heartbeat_task(worker, client_app):
    process, log_path = worker
    result = client_app.send_task("academy.tasks.heartbeat_task")
    _result(result, process, log_path)
    deadline = time.monotonic() + 5
    while result.state != "SUCCESS" and time.monotonic() < deadline:
        time.sleep(0.1)
    assert result.state == "SUCCESS"
    assert "academy.tasks.heartbeat_task" in log_path.read_text()
