"""JSON for the sync feeds, written by orjson: the same bytes as DRF's JSONRenderer (compact,
UTF-8, U+2028/U+2029 escaped, times as ISO 8601 with `Z`), several times faster on a page of a
few thousand rows (docs/performance.md), and able to write pre-written JSON (`orjson.Fragment`,
api.serializers.enrollment_rows). tests/api/test_renderers.py compares the two."""

import orjson
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

# What orjson does not write itself (lazy translations, decimals…) goes through DRF's encoder,
# so it reads as it would through JSONRenderer.
_drf_default = JSONEncoder().default
_OPTIONS = orjson.OPT_UTC_Z
# Keys other than `str` (an int, a str subclass such as SafeString) are written as JSONRenderer
# writes them with this option, which makes orjson take a slower way for every dict (a
# 5,000-row enrollments page: about 14 ms against 6 ms): so only for data that has such keys.
_NON_STR_KEYS_OPTIONS = _OPTIONS | orjson.OPT_NON_STR_KEYS


class FastJSONRenderer(JSONRenderer):
    """JSONRenderer's output by orjson; an indented rendering (`Accept: application/json;
    indent=4`) and non-compact or ASCII-only settings are left to JSONRenderer. One
    difference: a float NaN or infinity (which no JSON column can hold) is written `null`,
    where JSONRenderer fails."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        try:
            body = orjson.dumps(data, default=_drf_default, option=_OPTIONS)
        except orjson.JSONEncodeError:
            # A key that is not exactly a `str` (or a value neither can write: then this
            # fails as before).
            body = orjson.dumps(data, default=_drf_default, option=_NON_STR_KEYS_OPTIONS)
        indent = self.get_indent(accepted_media_type, renderer_context or {})
        if indent is not None or not self.compact or self.ensure_ascii:
            # Read back first: the rows may hold pre-written JSON (orjson.Fragment).
            return super().render(orjson.loads(body), accepted_media_type, renderer_context)
        return _javascript_safe(body)


# Past this many other characters of U+2000-U+2FFF, the page is escaped by two `replace` passes.
_MOST_LOOKS = 64


def _javascript_safe(body: bytes) -> bytes:
    """As JSONRenderer: U+2028 and U+2029 escaped, so the JSON is also valid JavaScript. Their
    UTF-8 starts with the byte E2, which most pages hold rarely or never: found by `find`
    (memchr), far quicker on a 2 MB page than a `replace` pass, which scans the whole page for
    its three bytes even when they are absent (about 4 ms each, docs/performance.md)."""
    at = body.find(b"\xe2")
    looks = 0
    while at != -1:
        if body[at + 1 : at + 3] in (b"\x80\xa8", b"\x80\xa9") or looks == _MOST_LOOKS:
            return body.replace(b"\xe2\x80\xa8", b"\\u2028").replace(b"\xe2\x80\xa9", b"\\u2029")
        looks += 1
        at = body.find(b"\xe2", at + 1)
    return body
