"""static/css/lesson.css: a lesson's own headings look smaller than the lesson's title (issue 15).

The template filter `lesson_html` already shifts the levels (tests/learning/test_views_player.py);
this proves the stylesheet sizes them in the same order: title > h2 > h3 > h4 > h5/h6.
"""

import re
from pathlib import Path

CSS = (Path(__file__).resolve().parents[2] / "static/css/lesson.css").read_text()


def _size(selector_pattern: str) -> float:
    for selectors, body in re.findall(r"([^{}]+)\{([^}]*)\}", CSS):
        if re.search(selector_pattern, selectors):
            size = re.search(r"font-size:\s*([\d.]+)rem", body)
            if size:
                return float(size.group(1))
    raise AssertionError(f"no font-size for {selector_pattern}")


def test_lesson_headings_are_sized_below_the_lesson_title_in_level_order():
    title = _size(r"\.academy-lesson-title\b")
    h2 = _size(r"\.academy-lesson-body h2\s*$")
    h3 = _size(r"\.academy-lesson-body h3\s*$")
    h4 = _size(r"\.academy-lesson-body h4\s*$")
    h5 = _size(r"\.academy-lesson-body h5\b")
    assert title > h2 > h3 > h4 > h5
    # the objectives' heading and a callout's title never outgrow the lesson's own h2
    assert _size(r"\.academy-objectives__title") < h2
    assert _size(r"\.admonition-title") < h2
