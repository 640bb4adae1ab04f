"""Report benchmark: the completion report of the bench agency (1,000,000 rows) as CSV and XLSX.

    createdb -h 127.0.0.1 -U postgres academy_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/academy_bench \
        .venv/bin/python bench/report.py [--learners 100000] [--per-learner 10] [--formats csv,xlsx]

Each report runs through `reports.services.runs.report_run_execute` (what the Celery task
`report_run_task` calls) in a fresh child process, so the data generation and this parent's
memory do not count. Prints rows per second and the child's peak memory: maximum RSS of the
whole process (interpreter and Django included: the honest figure) and, separately, the Python
allocations tracemalloc saw during the run when `--tracemalloc` is given (slower).
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _setup import bench_admin, generate, log  # noqa: I001

from reports.access import dashboard_scope
from reports.models import ReportRun

ROWS_PER_S_TARGET = 50_000
PEAK_MB_TARGET = 300
COPY_RATIO_TARGET = 0.5


def copy_baseline(scope) -> float:
    """Rows per second of PostgreSQL's own COPY of the same rows (the report's query without
    its formula-safe text and translated statuses), written to a temporary file."""
    import tempfile

    from django.db import connection

    from reports.services.csv_copy import completion_values

    inner, params = completion_values(scope).query.sql_with_params()
    started = time.perf_counter()
    rows = 0
    with tempfile.TemporaryFile() as out, connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY ({inner}) TO STDOUT WITH (FORMAT csv)", params) as copy:
            for chunk in copy:
                out.write(chunk)
        rows = cursor.cursor.rowcount
    elapsed = time.perf_counter() - started
    log(
        f"PostgreSQL COPY of the same rows: {rows:,} rows in {elapsed:.1f} s = {rows / elapsed:,.0f} rows/s"
    )
    return rows / elapsed


def child(run_id: int, trace: bool) -> None:
    """Produce one queued run; print what it took as JSON on the last line."""
    from django.core.files.storage import default_storage

    from reports.services.runs import report_run_execute

    if trace:
        import tracemalloc

        tracemalloc.start()
    started = time.perf_counter()
    run = report_run_execute(run_id=run_id)
    elapsed = time.perf_counter() - started
    traced = None
    if trace:
        import tracemalloc

        traced = tracemalloc.get_traced_memory()[1]
    size = default_storage.size(run.file.name) if run.file else 0
    print(
        json.dumps(
            {
                "status": run.status,
                "error": run.error,
                "rows": run.rows_done,
                "seconds": elapsed,
                "max_rss_kb": own_peak_kb(),
                "traced_peak": traced,
                "bytes": size,
                "file": run.file.name if run.file else "",
            }
        )
    )


def own_peak_kb() -> int:
    """This process's resident high-water mark. Not getrusage's ru_maxrss, which Linux carries
    across exec: a child of a parent that generated a million rows reported the parent's size."""
    with open("/proc/self/status") as status:
        return int(re.search(r"VmHWM:\s+(\d+) kB", status.read()).group(1))


def openpyxl_child(run_id: int) -> None:
    """openpyxl's write-only mode alone, the baseline of the XLSX figure: the same rows, read
    into memory first (not timed), appended to a write-only sheet and saved."""
    from openpyxl import Workbook

    from reports.services import exporters
    from reports.services.runs import scope_of

    rows = list(exporters.completion_rows(scope_of(ReportRun.objects.get(pk=run_id))))
    started = time.perf_counter()
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title="Report")
    for row in rows:
        sheet.append(row)
    with tempfile.TemporaryFile() as out:
        book.save(out)
    print(json.dumps({"rows": len(rows) - 1, "seconds": time.perf_counter() - started}))


def run_in_child(run_id: int, trace: bool, mode: str = "--child") -> dict:
    args = [sys.executable, str(Path(__file__).resolve()), mode, str(run_id)]
    if trace:
        args.append("--tracemalloc")
    done = subprocess.run(args, capture_output=True, text=True, env=os.environ.copy(), check=False)
    if done.returncode:
        sys.exit(f"child failed:\n{done.stdout}\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--learners", type=int, default=100_000)
    parser.add_argument("--per-learner", type=int, default=10)
    parser.add_argument("--formats", default="csv,xlsx")
    parser.add_argument("--tracemalloc", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the report files")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--openpyxl-child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.tracemalloc)
        return
    if args.openpyxl_child:
        openpyxl_child(args.openpyxl_child)
        return
    from django.core.files.storage import default_storage

    agency = generate(learners=args.learners, per_learner=args.per_learner)
    admin = bench_admin()
    scope = dashboard_scope(admin, agency_id=agency.pk)
    expected = agency.enrollments.count()
    log(f"Completion report of {agency.slug}: {expected:,} enrollments")
    baseline = copy_baseline(scope)
    failed = False
    for format in args.formats.split(","):
        # Created directly (not report_request) so that no Celery task is queued.
        run = ReportRun.objects.create(
            requested_by=admin, agency=scope.agency, kind="completion", format=format
        )
        result = run_in_child(run.pk, args.tracemalloc)
        rate = result["rows"] / result["seconds"] if result["seconds"] else 0
        rss_mb = result["max_rss_kb"] / 1024
        traced = (
            f", tracemalloc peak {result['traced_peak'] / 2**20:.1f} MB"
            if result["traced_peak"] is not None
            else ""
        )
        log(
            f"{format.upper()}: {result['status']} {result['rows']:,} rows in "
            f"{result['seconds']:.1f} s = {rate:,.0f} rows/s; file {result['bytes'] / 2**20:.1f} MB;"
            f" child max RSS {rss_mb:.0f} MB{traced}"
        )
        if result["status"] != "done" or result["rows"] != expected:
            log(f"  run did not produce every row: {result}")
            failed = True
        if format == "csv":
            ratio = rate / baseline if baseline else 0
            log(
                f"  CSV / COPY = {ratio:.2f} (target >= {COPY_RATIO_TARGET}: "
                f"{'met' if ratio >= COPY_RATIO_TARGET else 'NOT met'})"
            )
            log(
                f"  CSV targets: >= {ROWS_PER_S_TARGET:,} rows/s "
                f"({'met' if rate >= ROWS_PER_S_TARGET else 'NOT met'}), peak < "
                f"{PEAK_MB_TARGET} MB ({'met' if rss_mb < PEAK_MB_TARGET else 'NOT met'})"
            )
        if format == "xlsx":
            alone = run_in_child(run.pk, False, mode="--openpyxl-child")
            alone_rate = alone["rows"] / alone["seconds"]
            log(
                f"  openpyxl write-only alone, same rows from memory: {alone_rate:,.0f} rows/s; "
                f"XLSX report / openpyxl alone = {rate / alone_rate:.2f}"
            )
        if not args.keep:
            if result["file"]:
                default_storage.delete(result["file"])
            ReportRun.objects.filter(pk=run.pk).delete()
    raise SystemExit(1 if failed else 0)


if __name__ == "__main__":
    main()
