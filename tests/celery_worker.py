"""Start a real `celery worker` subprocess for integration tests, and always stop it."""

import os
import signal
import socket
import subprocess
import sys
import uuid
from contextlib import contextmanager
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]


def redis_reachable(host="127.0.0.1", port=6379) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@contextmanager
def running_worker(env_overrides: dict, *, log_path: Path, pool="solo", concurrency=1, name="test"):
    """Yield the worker process; it runs Academy's settings with `env_overrides` applied."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "academy.settings",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        **env_overrides,
    }
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "academy",
        "worker",
        f"--pool={pool}",
        f"--concurrency={concurrency}",
        "-l",
        "info",
        "--without-gossip",
        "--without-mingle",
        "-n",
        f"{name}-{uuid.uuid4().hex[:8]}@%h",
    ]
    with log_path.open("w") as log:
        process = subprocess.Popen(
            command,
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            yield process
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=5)
