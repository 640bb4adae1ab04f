"""Settings are safe when nothing is set; the embedded run makes its own per-install secret.

Each case starts a fresh Python process with a clean environment, as a deployment would.
"""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRINT_SETTINGS = (
    "import json, django; django.setup(); from django.conf import settings; "
    "print(json.dumps({'debug': settings.DEBUG, 'secret': settings.SECRET_KEY}))"
)


def start(tmp_path, **env):
    return subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS],
        cwd=tmp_path,
        env={
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": str(ROOT),
            "DJANGO_SETTINGS_MODULE": "academy.settings",
            "ACADEMY_ENV_FILE": str(tmp_path / "no.env"),  # not a developer's .env either
            "ACADEMY_VAR_DIR": str(tmp_path / "var"),
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )


def loaded(result) -> dict:
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_nothing_set_refuses_to_start_without_a_secret_key(tmp_path):
    result = start(tmp_path)
    assert result.returncode != 0
    assert "Set DJANGO_SECRET_KEY" in result.stderr
    assert not (tmp_path / "var" / "secret_key").exists()


def test_a_secret_key_alone_runs_with_debug_off(tmp_path):
    assert loaded(start(tmp_path, DJANGO_SECRET_KEY="k" * 60)) == {
        "debug": False,
        "secret": "k" * 60,
    }


def test_the_embedded_run_keeps_a_random_secret_per_install(tmp_path):
    first = loaded(start(tmp_path, ACADEMY_EMBEDDED="1"))
    again = loaded(start(tmp_path, ACADEMY_EMBEDDED="1"))
    (tmp_path / "other").mkdir()
    other_install = loaded(start(tmp_path / "other", ACADEMY_EMBEDDED="1"))
    secret_file = tmp_path / "var" / "secret_key"
    assert first["debug"] is True
    assert first["secret"] == again["secret"] == secret_file.read_text()
    assert len(first["secret"]) >= 50
    assert other_install["secret"] != first["secret"]
    assert secret_file.stat().st_mode & 0o777 == 0o600
