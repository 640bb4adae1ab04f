"""api.renderers.FastJSONRenderer (orjson) writes the sync feeds: byte for byte what DRF's
JSONRenderer writes, for what the API's responses hold."""

import datetime
import decimal
import uuid
import zoneinfo

import orjson
import pytest
from django.utils.translation import gettext_lazy
from rest_framework.exceptions import ErrorDetail
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.serializer_helpers import ReturnDict, ReturnList

from api.renderers import FastJSONRenderer

UTC = datetime.UTC


def _both(data, accepted_media_type=None):
    drf = JSONRenderer().render(data, accepted_media_type, {})
    fast = FastJSONRenderer().render(data, accepted_media_type, {})
    return drf, fast


def test_a_feed_page_is_written_as_drf_writes_it():
    row = {
        "id": 7,
        "email": "zoé@a.gov",
        "course": {"id": 1, "slug": "intro-ai", "title": "L’IA « pour tous »"},
        "unit": None,
        "progress_percent": 100,
        "final_score": None,
        "required": True,
        "imported": False,
        "due_on": datetime.date(2026, 3, 2),
        "started_at": datetime.datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
        "completed_at": datetime.datetime(2026, 3, 2, 9, 0, 0, 120, tzinfo=UTC),
        "updated_at": datetime.datetime(2026, 3, 2, 9, 0, 0, 500000, tzinfo=UTC),
        "result": {"score": 0.75, "passed": True, "answers": [1, 2.5, None], "note": ""},
    }
    page = {"next": "https://x/api/v1/enrollments/?cursor=abc", "cursor": "abc", "results": [row]}
    drf, fast = _both(page)
    assert fast == drf
    assert b'"completed_at":"2026-03-02T09:00:00.000120Z"' in fast


def test_what_only_drf_knows_goes_through_drfs_encoder():
    data = ReturnDict(
        {
            "detail": ErrorDetail("Not found.", code="not_found"),
            "title": gettext_lazy("Page not found"),
            "amount": decimal.Decimal("12.50"),
            "uuid": uuid.UUID("12345678-1234-5678-1234-567812345678"),
            "paris": datetime.datetime(2026, 3, 2, 10, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Paris")),
            "naive": datetime.datetime(2026, 3, 2, 10, 0),
            "time": datetime.time(9, 30),
            "nested": ReturnList([{1: "int key"}, ("a", "tuple")], serializer=None),
        },
        serializer=None,
    )
    drf, fast = _both(data)
    assert fast == drf


def test_line_and_paragraph_separators_are_escaped_as_drf_does():
    drf, fast = _both({"title": "a\u2028b\u2029c"})
    assert fast == drf == b'{"title":"a\\u2028b\\u2029c"}'


@pytest.mark.parametrize("before", [0, 1, 63, 64, 65, 200])
@pytest.mark.parametrize("separator", ["\u2028", "\u2029", ""])
def test_separators_are_escaped_after_any_number_of_other_e2_characters(before, separator):
    # ’, …, € and → are written with the same first byte (E2) as the two separators.
    text = "L’IA … 5 € →" * before + separator + "fin\u2029" * (separator == "\u2029")
    drf, fast = _both({"results": [{"title": text, "email": "x\u2028@a.gov" * (before == 1)}]})
    assert fast == drf
    assert b"\xe2\x80\xa8" not in fast and b"\xe2\x80\xa9" not in fast


def test_an_indented_rendering_and_none_are_left_to_drf():
    data = {"results": [{"id": 1}]}
    drf, fast = _both(data, "application/json; indent=4")
    assert fast == drf and b"\n" in fast
    assert FastJSONRenderer().render(None) == b""


def test_pre_written_json_is_written_as_is_even_when_indented():
    import orjson

    course = {"id": 1, "slug": "intro-ai", "title": "Intro"}
    rows = {"results": [{"id": 1, "course": orjson.Fragment(orjson.dumps(course))}]}
    plain = {"results": [{"id": 1, "course": course}]}
    assert FastJSONRenderer().render(rows) == JSONRenderer().render(plain)
    indented = "application/json; indent=2"
    assert FastJSONRenderer().render(rows, indented, {}) == JSONRenderer().render(
        plain, indented, {}
    )


def test_keys_other_than_str_are_written_as_drf_writes_them():
    from django.utils.safestring import mark_safe

    data = {"results": [{mark_safe("safe"): 1, 2: "two", None: "none", True: "yes", 1.5: "x"}]}
    drf, fast = _both(data)
    assert fast == drf


def test_str_keys_take_orjsons_quicker_way(monkeypatch):
    """Only data with keys other than `str` is written with OPT_NON_STR_KEYS (the slower way)."""
    from api import renderers

    options = []
    real = renderers.orjson.dumps

    def dumps(data, default=None, option=None):
        options.append(option)
        return real(data, default=default, option=option)

    monkeypatch.setattr(renderers.orjson, "dumps", dumps)
    _both({"results": [{"id": 1, "status": "completed"}]})
    assert options == [orjson.OPT_UTC_Z]
    options.clear()
    _both({"results": [{1: "int key"}]})
    assert options == [orjson.OPT_UTC_Z, orjson.OPT_UTC_Z | orjson.OPT_NON_STR_KEYS]
