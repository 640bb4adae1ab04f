"""A real Celery worker process on a real Redis broker runs Academy's tasks."""

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from celery import Celery

pytestmark = pytest.mark.integration

REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
REDIS_URL = f"redis://{REDIS_HOST}:{REDIS_PORT}/15"
BASE_DIR = Path(__file__).resolve().parents[2]
TIMEOUT = 60


def _redis_reachable():
    try:
        with socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.fixture
def redis_broker():
    if not _redis_reachable():
        message = f"Redis is not reachable on {REDIS_HOST}:{REDIS_PORT}; start it to run this test."
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return REDIS_URL


@pytest.fixture
def worker(redis_broker, tmp_path):
    """A `celery worker` subprocess on the Redis broker, with a throwaway SQLite database."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "academy.settings",
        "CELERY_BROKER_URL": redis_broker,
        "CELERY_RESULT_BACKEND": redis_broker,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'worker.sqlite3'}",
        "ACADEMY_VAR_DIR": str(tmp_path / "var"),
        "DJANGO_DEBUG": "true",
    }
    log_path = tmp_path / "worker.log"
    log = log_path.open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "academy",
            "worker",
            "--pool=solo",
            "-l",
            "info",
            "--without-gossip",
            "--without-mingle",
            "-n",
            f"test-{uuid.uuid4().hex[:8]}@%h",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        yield process, log_path
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        log.close()


@pytest.fixture
def client_app(redis_broker):
    """A Celery app of our own that only sends, configured for the worker's broker."""
    app = Celery("academy-test-client", broker=redis_broker, backend=redis_broker)
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
