"""Hostile bundles: each is refused with a clear problem, and importing it stays small.

The memory checks run the import in a child process and read that process's own peak RSS: the
pytest process's peak says nothing about one import.
"""

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

from courses.bundles import BundleError, BundleSource, bundle_import, parse_course_bundle
from courses.models import Course

ROOT = Path(__file__).resolve().parents[2]
PEAK_LIMIT_BYTES = 200 * 1024 * 1024

# The peak is the process's own high-water mark (VmHWM), not getrusage's ru_maxrss: Linux
# carries ru_maxrss across exec, so a child forked from a big pytest worker reported the
# worker's size.
CHILD = """
import json, re, sys
import django
django.setup()
from courses.bundles import BundleSource, parse_course_bundle
content, problems = parse_course_bundle(BundleSource(sys.argv[1]))
with open("/proc/self/status") as status:
    peak = int(re.search(r"VmHWM:\\s+(\\d+) kB", status.read()).group(1)) * 1024
print(json.dumps({"problems": problems, "peak": peak}))
"""


def import_in_child(path) -> dict:
    """Validate the bundle in a fresh Python process; its problems and its peak memory."""
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(path)],
        cwd=ROOT,
        env={"DJANGO_SETTINGS_MODULE": "academy.settings_test", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def zip_bytes(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def manifest(lessons) -> bytes:
    return yaml.safe_dump(
        {
            "format": "academy-course/1",
            "slug": "hostile",
            "title": "Hostile",
            "modules": [{"key": "m1", "title": "Module", "lessons": lessons}],
        }
    ).encode()


def lesson(index, file):
    return {"key": f"l{index}", "title": f"Lesson {index}", "file": file}


def one_file_read_300_times(tmp_path, size=2 * 1024 * 1024) -> Path:
    """A few KB of zip: 300 lessons all pointing at one highly compressible Markdown file (the
    review's bundle used 2 MB, over one lesson's limit; 250 KB is under it)."""
    body = b"# Big\n\n" + b"word " * (size // 5 - 10)
    data = zip_bytes(
        {
            "course.yaml": manifest([lesson(i, "lessons/big.md") for i in range(300)]),
            "lessons/big.md": body,
        }
    )
    path = tmp_path / "repeat.zip"
    path.write_bytes(data)
    return path


BILLION_LAUGHS = "\n".join(
    ["format: academy-course/1", "slug: laughs", "title: Laughs", 'a: &a ["lol","lol","lol"]']
    + [
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)}]"
        for i in range(9)
    ]
    + ["modules: [{key: m1, title: M, lessons: [{key: l1, title: L, file: *j}]}]"]
).encode()


@pytest.mark.django_db
def test_a_file_used_by_many_lessons_is_refused_and_read_once(tmp_path):
    path = one_file_read_300_times(tmp_path, size=250 * 1024)
    assert path.stat().st_size < 20_000
    source = BundleSource(path)
    _, problems = parse_course_bundle(source)
    assert any("lessons/big.md: the same file is used twice" in p for p in problems)
    assert source.bytes_read < 300 * 1024
    with pytest.raises(BundleError):
        bundle_import(path, actor=None)
    assert not Course.objects.filter(slug="hostile").exists()


def test_a_file_used_by_many_lessons_stays_small_in_a_child_process(tmp_path):
    outcome = import_in_child(one_file_read_300_times(tmp_path))
    assert outcome["problems"]
    assert outcome["peak"] < PEAK_LIMIT_BYTES, outcome["peak"]


@pytest.mark.django_db
def test_yaml_aliases_are_refused_before_they_are_expanded(tmp_path):
    path = tmp_path / "laughs.zip"
    path.write_bytes(zip_bytes({"course.yaml": BILLION_LAUGHS}))
    _, problems = parse_course_bundle(BundleSource(path))
    assert problems == ["course.yaml:4: YAML anchors and aliases are not allowed"]
    outcome = import_in_child(path)
    assert outcome["problems"] == problems
    assert outcome["peak"] < PEAK_LIMIT_BYTES, outcome["peak"]


def damaged_zip() -> bytes:
    good = manifest([lesson(1, "lessons/one.md")])
    data = bytearray(zip_bytes({"course.yaml": good, "lessons/one.md": b"# One\n\nText " * 50}))
    # Flip bytes inside the compressed data of the lesson: the CRC check fails on reading.
    offset = data.index(b"lessons/one.md") + len("lessons/one.md") + 8
    for i in range(offset, offset + 8):
        data[i] ^= 0xFF
    return bytes(data)


@pytest.mark.django_db
def test_a_damaged_zip_entry_is_a_problem_not_a_crash(tmp_path):
    with pytest.raises(BundleError) as error:
        bundle_import(damaged_zip(), actor=None)
    assert any("the zip file is damaged" in p for p in error.value.problems)
    assert not Course.objects.filter(slug="hostile").exists()
    path = tmp_path / "damaged.zip"
    path.write_bytes(damaged_zip())
    outcome = import_in_child(path)
    assert any("the zip file is damaged" in p for p in outcome["problems"])
    assert outcome["peak"] < PEAK_LIMIT_BYTES, outcome["peak"]


@pytest.mark.django_db
def test_a_lesson_over_the_lesson_limit_is_refused(tmp_path, settings):
    settings.ACADEMY_BUNDLE_MAX_LESSON_BYTES = 1000
    data = zip_bytes(
        {"course.yaml": manifest([lesson(1, "lessons/one.md")]), "lessons/one.md": b"x" * 1001}
    )
    _, problems = parse_course_bundle(BundleSource(data))
    assert any(
        "lessons/one.md: file too large (1001 bytes; the limit is 1000)" in p for p in problems
    )


@pytest.mark.django_db
def test_the_total_read_budget_is_enforced(settings):
    settings.ACADEMY_BUNDLE_MAX_READ_BYTES = 1500
    files = {"course.yaml": manifest([lesson(i, f"lessons/{i}.md") for i in range(3)])}
    files.update({f"lessons/{i}.md": b"# L\n\n" + b"y" * 600 for i in range(3)})
    _, problems = parse_course_bundle(BundleSource(zip_bytes(files)))
    assert any("the import would read more than 1500 bytes in all" in p for p in problems)


@pytest.mark.django_db
def test_markdown_that_renders_past_the_budget_is_refused(settings):
    settings.ACADEMY_BUNDLE_MAX_RENDERED_BYTES = 50_000
    # Each 7-byte reference repeats a 1,000-character URL in the HTML.
    body = b"[r]: https://example.gov/" + b"a" * 1000 + b"\n\n" + b"[x][r] " * 200
    files = {"course.yaml": manifest([lesson(1, "lessons/one.md")]), "lessons/one.md": body}
    _, problems = parse_course_bundle(BundleSource(zip_bytes(files)))
    assert problems == [
        "course.yaml: modules[0].lessons[0]: the lessons render to more than 50000 bytes of HTML "
        "in all"
    ]


def test_markdown_that_amplifies_stays_small_in_a_child_process(tmp_path):
    """Under one lesson's limit, 36,000 reference links each repeat a 1,000-character URL: about
    37 MB of HTML from under 2 KB of zip. With the default limits the lesson is refused before
    its HTML is written (it used to peak at 348 MB)."""
    body = b"[r]: https://example.gov/" + b"a" * 1000 + b"\n\n" + b"[x][r] " * (250 * 1024 // 7)
    files = {"course.yaml": manifest([lesson(i, f"lessons/{i}.md") for i in range(3)])}
    files.update({f"lessons/{i}.md": body for i in range(3)})
    path = tmp_path / "amplifies.zip"
    path.write_bytes(zip_bytes(files))
    assert path.stat().st_size < 5_000
    outcome = import_in_child(path)
    assert outcome["problems"] == [
        "course.yaml: modules[0].lessons[0]: the lesson renders to more than 4194304 bytes of HTML"
    ]
    assert outcome["peak"] < PEAK_LIMIT_BYTES, outcome["peak"]


def _lesson_zip_with(change) -> bytes:
    """A valid bundle whose lesson entry is then altered in its headers by `change`."""
    good = manifest([lesson(1, "lessons/one.md")])
    data = bytearray(zip_bytes({"course.yaml": good, "lessons/one.md": b"# One\n\nText " * 50}))
    name = b"lessons/one.md"

    def header(signature, name_at):
        at = data.find(signature)
        while data[at + name_at : at + name_at + len(name)] != name:
            at = data.find(signature, at + 1)
            assert at != -1
        return at

    change(data, header(b"PK\x03\x04", 30), header(b"PK\x01\x02", 46))
    return bytes(data)


def _encrypted(data, local, central):
    # General purpose flag bit 0 (offset 6 in the local header, 8 in the central one).
    data[local + 6] |= 1
    data[central + 8] |= 1


def _unknown_compression(data, local, central):
    # Compression method 99 (offset 8 in the local header, 10 in the central one).
    data[local + 8 : local + 10] = (99).to_bytes(2, "little")
    data[central + 10 : central + 12] = (99).to_bytes(2, "little")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "altered",
    [
        pytest.param(lambda: _lesson_zip_with(_encrypted), id="encrypted-entry"),
        pytest.param(lambda: _lesson_zip_with(_unknown_compression), id="unknown-compression"),
        pytest.param(lambda: zip_bytes({"course.yaml": manifest([])})[:-30], id="truncated"),
    ],
)
def test_every_zip_error_is_a_problem_in_the_list_not_a_crash(altered):
    with pytest.raises(BundleError) as error:
        bundle_import(altered(), actor=None)
    assert error.value.problems
    assert any(
        "the zip file is damaged" in p or "neither a folder nor a zip file" in p
        for p in error.value.problems
    ), error.value.problems
    assert not Course.objects.filter(slug="hostile").exists()
