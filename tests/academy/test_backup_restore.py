"""The backup routine of docs/operations.md works: a dump of a seeded database, restored into a
fresh database, holds the same rows and lets a person sign in. PostgreSQL only (pg_dump)."""

import io
import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.apps import apps
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
ACADEMY_APPS = {"accounts", "agencies", "courses", "learning", "reminders", "reports"}

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(shutil.which("pg_dump") is None, reason="needs pg_dump and pg_restore"),
]

SIGN_IN = """
import json, django
django.setup()
from django.test import Client
client = Client()
response = client.post("/accounts/login/", {"login": "learner@demo.gov", "password": "academy-demo"})
home = client.get("/")
print(json.dumps({"status": response.status_code, "location": response.get("Location"),
                  "signed_in": "Sign out" in home.content.decode()}))
"""


@pytest.fixture
def postgres():
    if connection.vendor != "postgresql":
        pytest.skip("backup and restore are PostgreSQL's pg_dump and pg_restore")
    return connection.settings_dict


def conninfo(db: dict, name: str) -> str:
    return f"host={db['HOST']} port={db['PORT']} user={db['USER']} dbname={name}"


def row_counts(db: dict, name: str) -> dict[str, int]:
    tables = sorted(
        m._meta.db_table for m in apps.get_models() if m._meta.app_label in ACADEMY_APPS
    )
    with psycopg.connect(conninfo(db, name)) as conn:
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


def test_a_restored_dump_has_the_same_rows_and_a_working_sign_in(postgres, tmp_path):
    from academy.demo import run_seeders

    run_seeders(stdout=io.StringIO())
    dump = tmp_path / "academy.dump"
    target = f"academy_restore_{uuid.uuid4().hex[:8]}"
    pg = ["-h", postgres["HOST"], "-p", str(postgres["PORT"]), "-U", postgres["USER"]]
    subprocess.run(["pg_dump", *pg, "-Fc", "-f", str(dump), postgres["NAME"]], check=True)
    subprocess.run(["createdb", *pg, target], check=True)
    try:
        subprocess.run(
            ["pg_restore", *pg, "--no-owner", "--exit-on-error", "-d", target, str(dump)],
            check=True,
        )
        original, restored = row_counts(postgres, postgres["NAME"]), row_counts(postgres, target)
        assert restored == original
        assert original["accounts_user"] > 5 and original["learning_enrollment"] > 0

        url = f"postgres://{postgres['USER']}@{postgres['HOST']}:{postgres['PORT']}/{target}"
        result = subprocess.run(
            [sys.executable, "-c", SIGN_IN],
            cwd=ROOT,
            env={
                **os.environ,
                "DATABASE_URL": url,
                "DJANGO_SETTINGS_MODULE": "academy.settings_test",
            },
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr[-2000:]
        outcome = json.loads(result.stdout.strip().splitlines()[-1])
        assert outcome == {"status": 302, "location": "/", "signed_in": True}
    finally:
        subprocess.run(["dropdb", *pg, "--if-exists", target], check=True)
