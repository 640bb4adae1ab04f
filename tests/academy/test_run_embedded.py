"""`run_embedded` (what `make run` starts) stops every process it started on Ctrl-C, SIGTERM,
SIGHUP and when its parent goes away, leaving nothing behind and the port free."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.fixture(scope="module")
def environment(tmp_path_factory):
    var = tmp_path_factory.mktemp("embedded")
    env = {
        **os.environ,
        "ACADEMY_EMBEDDED": "1",
        "ACADEMY_VAR_DIR": str(var),
        "DATABASE_URL": f"sqlite:///{var / 'academy.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "academy.settings",
        # the demo identity provider on a port of its own: 8090 may be taken (a `make run`, a
        # second checkout's tests), and run_embedded stops everything when a child fails
        "ACADEMY_DEMO_IDP_PORT": str(free_port()),
    }
    env.pop("CELERY_BROKER_URL", None)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    return env


def start(environment, launcher=()):
    """Start run_embedded (optionally under a launcher); wait until web, worker and beat run."""
    port = free_port()
    command = [
        *launcher,
        sys.executable,
        "manage.py",
        "run_embedded",
        "--addr",
        f"127.0.0.1:{port}",
    ]
    log = Path(environment["ACADEMY_VAR_DIR"]) / f"run-{port}.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            command, cwd=ROOT, env=environment, stdout=output, stderr=subprocess.STDOUT
        )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        # web, worker with its two pool children, beat (and the launcher's child, if any)
        if listening(port) and len(descendants(process.pid)) >= 5 + bool(launcher):
            return process, port
        assert process.poll() is None, "run_embedded exited while starting:\n" + log.read_text()
        time.sleep(0.5)
    kill_with_descendants(process)
    pytest.fail("run_embedded did not start web, worker and beat within 90 s")


def kill_with_descendants(process) -> None:
    """SIGKILL run_embedded and every process it started (each child leads a session of its
    own, so killing run_embedded alone would leave them running, holding their ports)."""
    for pid in [*descendants(process.pid), process.pid]:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    process.wait()


def assert_everything_stopped(process, port, started):
    process.wait(timeout=60)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and (any(alive(p) for p in started) or listening(port)):
        time.sleep(0.2)
    left = [p for p in started if alive(p)]
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert not left, f"processes left running: {left}"
    assert not listening(port)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_each_stop_signal_stops_web_worker_and_beat(environment, signum):
    process, port = start(environment)
    started = descendants(process.pid)
    process.send_signal(signum)
    assert_everything_stopped(process, port, started)


def test_the_parent_going_away_stops_everything(environment):
    # A shell that starts run_embedded in the background and is then killed, like `make`
    # killed with a signal it does not pass on to its children.
    shell = ["/bin/sh", "-c", '"$@" & wait', "sh"]
    process, port = start(environment, launcher=shell)
    started = descendants(process.pid)
    process.kill()
    process.wait()
    assert_everything_stopped(process, port, started)
