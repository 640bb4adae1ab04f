"""The checks on a lesson's text for lint_bundles: words against minutes, links, French spacing.

Each function takes a lesson body (Markdown) and returns what it finds with line numbers in that
body; code blocks and code spans are left out of all three. See docs/course-bundles.md.
"""

import re
from urllib.parse import urlsplit

# Time estimates: reading speed, the time an exercise adds, and how far off is too far.
WORDS_PER_MINUTE = 200
EXERCISE_MINUTES = 2
MAX_ESTIMATE_ERROR = 0.5

# Links in a lesson's sources section must reach a government host over https.
SOURCE_HEADINGS = re.compile(
    r"^#{1,6}\s*(sources?|references?|further reading|références|pour aller plus loin)\b",
    re.IGNORECASE,
)
GOVERNMENT_SUFFIXES = (".gov", ".mil", ".fed.us")

_FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.MULTILINE | re.DOTALL)
_INLINE_CODE = re.compile(r"`[^`\n]*`")
_LINK = re.compile(r"\[[^\]]*\]\(([^)]*)\)|<(https?:[^>\s]*)>")
_BARE_URL = re.compile(r"(?<![(<\"])\bhttps?://[^\s)>\]]+")
_HEADING = re.compile(r"^#{1,6}\s")
_EXERCISE = re.compile(
    r"<details\b|^#{1,6}\s*(practice|exercise|try it|exercice|mise en pratique)"
    r"|^[ \t]*!!![ \t]+exercise\b",
    re.IGNORECASE | re.MULTILINE,
)
# The house convention (docs/course-bundles.md, "Practice exercises"): a task in an
# `!!! exercise` callout, and its worked example in a `!!! solution` block, shown closed.
_EXERCISE_BLOCK = re.compile(r"^[ \t]*!!![ \t]+exercise\b", re.MULTILINE)
_SOLUTION_BLOCK = re.compile(r"^[ \t]*!!![ \t]+solution\b", re.MULTILINE)
# A plain space before the high punctuation, or after an opening guillemet.
_FRENCH_SPACE = re.compile(r"(?<=\S) (?=[;:?!»])|(?<=«) ")
WORD = re.compile(r"\w+(?:['’-]\w+)*")


def _without_code(body: str) -> str:
    """The body with code blocks and code spans blanked out, line breaks kept."""

    def blank(match):
        return re.sub(r"[^\n]", " ", match.group(0))

    return _INLINE_CODE.sub(blank, _FENCE.sub(blank, body))


def word_count(body: str) -> int:
    return len(WORD.findall(_without_code(body)))


def has_exercise(body: str) -> bool:
    """A practice task (outside code): an `!!! exercise` block, a <details> disclosure, or a
    heading "Practice", "Exercise", "Try it"."""
    return bool(_EXERCISE.search(_without_code(body)))


def exercise_problem(body: str) -> str | None:
    """A message unless the lesson has a practice task with a worked example behind a
    disclosure: an `!!! exercise` block and a `!!! solution` block (outside code)."""
    text = _without_code(body)
    if not _EXERCISE_BLOCK.search(text):
        return "the lesson has no practice exercise (an `!!! exercise` block)"
    if not _SOLUTION_BLOCK.search(text):
        return "the exercise has no worked example (a `!!! solution` block inside it)"
    return None


def estimate_problem(body: str, minutes: int) -> str | None:
    """A message when `minutes` is off by more than half from the words (and the exercise)."""
    words = word_count(body)
    expected = words / WORDS_PER_MINUTE + (EXERCISE_MINUTES if has_exercise(body) else 0)
    if expected <= 0:
        return None
    if abs(minutes - expected) > MAX_ESTIMATE_ERROR * expected:
        exercise = f" plus {EXERCISE_MINUTES} for the exercise" if has_exercise(body) else ""
        return (
            f"estimated_minutes is {minutes}, but {words} words read in about "
            f"{words / WORDS_PER_MINUTE:.1f} minutes{exercise} (expected about "
            f"{max(1, round(expected))})"
        )
    return None


def link_problems(body: str) -> list[tuple[int, str]]:
    """(line, message) for malformed or plain-http links, and for links under a sources
    heading that do not reach a government host (.gov, .mil, .fed.us)."""
    problems = []
    in_sources = False
    for number, text in enumerate(_without_code(body).splitlines(), start=1):
        if _HEADING.match(text):
            in_sources = bool(SOURCE_HEADINGS.match(text))
        urls = [_link_target(a) or b for a, b in _LINK.findall(text)]
        urls += _BARE_URL.findall(_LINK.sub(" ", text))
        for url in urls:
            problem = _url_problem(url, in_sources)
            if problem:
                problems.append((number, problem))
    return problems


def _link_target(inside: str) -> str:
    """The URL of a Markdown link's "(url "title")" part."""
    inside = re.sub(r"\s+(\"[^\"]*\"|'[^']*')$", "", inside.strip())
    return inside.strip("<>")


def _url_problem(url: str, in_sources: bool) -> str | None:
    if not url or url.startswith(("#", "/", "mailto:")) or "://" not in url:
        if url.startswith(("http:", "https:", "www.")):
            return f"malformed link {url!r}"
        return None  # a relative link or an anchor
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
    except ValueError:
        return f"malformed link {url!r}"
    if parts.scheme not in ("http", "https") or not host or "." not in host or " " in url:
        return f"malformed link {url!r}"
    if parts.scheme != "https":
        return f"link {url!r} is not https"
    if in_sources and not host.endswith(GOVERNMENT_SUFFIXES):
        return f"source {url!r} is not on a government host (.gov, .mil, .fed.us)"
    return None


def french_spacing_problems(text: str, *, markdown: bool = True) -> list[tuple[int, str]]:
    """(line, message) for each plain space before ; : ? ! » or after «: French typography
    wants a non-breaking space there (U+00A0, or the narrow U+202F)."""
    if markdown:
        text = _without_code(text)
        text = _LINK.sub(lambda m: re.sub(r"\S", "x", m.group(0)), text)
    problems = []
    for number, line_text in enumerate(text.splitlines(), start=1):
        for match in _FRENCH_SPACE.finditer(line_text):
            around = line_text[max(0, match.start() - 12) : match.end() + 2]
            problems.append(
                (
                    number,
                    f"plain space in “{around.strip()}”: use a non-breaking space "
                    "(U+00A0 or U+202F)",
                )
            )
    return problems
