"""Markdown rendering keeps the useful features and neutralises every XSS payload."""

import re
from html.parser import HTMLParser

import pytest

from courses.markdown import (
    ALLOWED_TAGS,
    MarkdownTooLarge,
    embed_host_allowed,
    embed_url,
    render_markdown,
    render_markdown_within_budget,
    sanitize_html,
    video_embed_html,
)

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '<img src=x onerror="alert(1)">',
    '![pic](x" onerror="alert(1))',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](javascript&#58;alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](java\tscript:alert(1))",
    "[click][ref]\n\n[ref]: javascript:alert(1)",
    "![img][r]\n\n[r]: javascript:alert(1)",
    "<javascript:alert(1)>",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![data](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "<svg onload=alert(1)><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe src="https://evil.example/embed"></iframe>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<p style="width: expression(alert(1))">x</p>',
    '<a href="javascript:alert(1)" onclick="alert(1)">x</a>',
    "<body onload=alert(1)>",
    "<math><mtext><img src=x onerror=alert(1)></mtext></math>",
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<form action="javascript:alert(1)"><button>x</button></form>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    "<!--<img src=x onerror=alert(1)>-->",
    "```\n</code><script>alert(1)</script>\n```",
    "| a |\n|---|\n| <img src=x onerror=alert(1)> |",
    '!!! note "<script>alert(1)</script>"\n    body <b onmouseover=alert(1)>x</b>',
    "[x](vbscript:msgbox(1))",
    '<a href="&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1)">x</a>',
    "# Heading {onclick=alert(1)}",
]


class _Elements(HTMLParser):
    """Collects the real elements and attributes of an HTML fragment (not escaped text)."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.elements = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


SAFE_TAGS = ALLOWED_TAGS - {"iframe"}
URL_ATTRIBUTES = {"href", "src", "action", "data", "xlink:href", "formaction"}


def assert_safe(html, *, iframes_allowed=False):
    """No element or attribute outside the allowlist; every URL http(s), mailto or relative."""
    for tag, attrs in _Elements(html).elements:
        assert tag in (ALLOWED_TAGS if iframes_allowed else SAFE_TAGS), (tag, html)
        for name, value in attrs.items():
            assert not name.startswith("on"), (name, html)
            assert name not in ("style", "srcdoc"), (name, html)
            if name in URL_ATTRIBUTES:
                scheme = re.match(r"^\s*([a-z][a-z0-9+.-]*):", (value or "").lower())
                assert scheme is None or scheme.group(1) in ("http", "https", "mailto"), html
        if tag == "iframe":
            assert embed_host_allowed(attrs.get("src", "")), html


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_xss_payload_is_neutralised(payload):
    assert_safe(render_markdown(payload))


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_sanitizer_alone_neutralises_raw_html_payload(payload):
    assert_safe(sanitize_html(payload), iframes_allowed=True)


def test_the_checker_catches_what_it_should():
    for bad in [
        '<a href="javascript:alert(1)">x</a>',
        "<img src=x onerror=alert(1)>",
        '<p style="x">y</p>',
        "<script>x</script>",
    ]:
        with pytest.raises(AssertionError):
            assert_safe(bad)


def test_there_are_at_least_twenty_payloads():
    assert len(XSS_PAYLOADS) >= 20


def test_raw_html_is_shown_as_text_not_interpreted():
    assert render_markdown("<b>bold</b>") == "<p>&lt;b&gt;bold&lt;/b&gt;</p>"


def test_markdown_features_render():
    html = render_markdown(
        "[TOC]\n\n# Title\n\n| a | b |\n|:--|--:|\n| 1 | 2 |\n\n```python\nx = 1\n```\n\n"
        '!!! note "Remember"\n    Be kind.\n\n[site](https://example.gov) [mail](mailto:a@b.gov)'
    )
    assert '<div class="toc">' in html
    assert '<h1 id="h-title">Title</h1>' in html
    assert '<th align="left">a</th>' in html
    assert '<code class="language-python">' in html
    assert '<div class="admonition note">' in html
    assert 'href="https://example.gov"' in html and 'href="mailto:a@b.gov"' in html
    assert 'rel="noopener noreferrer"' in html


def test_empty_markdown_renders_nothing():
    assert render_markdown("   ") == ""


def test_video_embed_only_for_allowed_hosts(settings):
    settings.ACADEMY_VIDEO_EMBED_HOSTS = ["www.youtube-nocookie.com", "player.vimeo.com"]
    assert embed_url("https://www.youtube.com/watch?v=abc") == (
        "https://www.youtube-nocookie.com/embed/abc"
    )
    assert embed_url("https://vimeo.com/123") == "https://player.vimeo.com/video/123"
    assert embed_url("https://evil.example/embed/1") is None
    assert embed_url("javascript:alert(1)") is None
    embed = video_embed_html("https://player.vimeo.com/video/9", title="Intro")
    assert embed.startswith('<iframe src="https://player.vimeo.com/video/9"')
    link = video_embed_html("https://videos.example.gov/1", title="Intro")
    assert "<iframe" not in link and 'href="https://videos.example.gov/1"' in link


def test_removing_a_host_from_settings_removes_its_embeds(settings):
    settings.ACADEMY_VIDEO_EMBED_HOSTS = ["player.vimeo.com"]
    assert "<iframe" not in sanitize_html(
        '<iframe src="https://www.youtube-nocookie.com/embed/x"></iframe>'
    )
    assert "<iframe" not in video_embed_html("https://youtu.be/x", title="t")


HOSTILE_CALLOUT = (
    '!!! position-fixed top-0 left-0 width-full height-viewport z-top bg-white "Session expired"\n'
    "    Sign in again to continue."
)


def _classes(html):
    return {
        c for _tag, attrs in _Elements(html).elements for c in (attrs.get("class") or "").split()
    }


def test_a_callout_cannot_set_page_classes():
    html = render_markdown(HOSTILE_CALLOUT)
    assert '<div class="admonition note">' in html
    assert _classes(html) == {"admonition", "note", "admonition-title"}


@pytest.mark.parametrize("kind", ["note", "tip", "warning", "important", "example", "exercise"])
def test_the_callout_kinds_keep_their_class(kind):
    assert f'<div class="admonition {kind}">' in render_markdown(f"!!! {kind}\n    Text.")


def test_any_other_callout_kind_is_a_note():
    assert '<div class="admonition note">' in render_markdown("!!! danger z-top\n    Text.")


def test_classes_outside_the_allowlist_are_removed():
    html = render_markdown("``` { .position-fixed .z-top }\ncode\n```")
    assert "position-fixed" not in _classes(html) and "z-top" not in _classes(html)
    assert 'class="language-python"' in render_markdown("```python\nx = 1\n```")
    raw = sanitize_html(
        '<div class="usa-modal z-top">x</div><p class="bg-white">y</p><span class="a">z</span>'
        '<code class="position-fixed language-js">c</code>'
    )
    assert _classes(raw) == {"language-js"}


def test_remote_images_become_links_unless_their_host_is_allowed(settings):
    settings.ACADEMY_IMAGE_HOSTS = []
    html = render_markdown("![Pixel](https://tracker.example/p.gif) ![](https://tracker.example/q)")
    assert "<img" not in html
    assert '<a href="https://tracker.example/p.gif" rel="noopener noreferrer">Pixel</a>' in html
    assert "tracker.example/q" not in html
    settings.ACADEMY_IMAGE_HOSTS = ["images.example.gov"]
    html = render_markdown("![Map](https://images.example.gov/map.png)")
    assert '<img alt="Map" src="https://images.example.gov/map.png">' in html
    assert "<img" not in render_markdown("![Map](http://images.example.gov/map.png)")


def test_relative_images_only_for_the_lessons_attachments(settings):
    settings.ACADEMY_IMAGE_HOSTS = []
    source = "![Chart](chart.png) ![Other](other.png) ![Far](//tracker.example/p.gif)"
    html = render_markdown(source, images={"chart.png"})
    assert [a.get("src") for tag, a in _Elements(html).elements if tag == "img"] == ["chart.png"]
    assert "<span>Other</span>" in html and "tracker.example" not in html
    # The sanitizer alone drops the source too (raw HTML, say).
    assert "src=" not in sanitize_html('<img src="https://tracker.example/p.gif" alt="x">')


def test_only_the_first_table_of_contents_marker_is_kept():
    """Each [TOC] would repeat the whole table: 5 KB of headings and markers made 6 MB."""
    headings = "".join(f"# Heading {i}\n\n" for i in range(200))
    for markers in ("[TOC]\n\n" * 500, "- [TOC]\n" * 500, "> [TOC]\n>\n" * 50):
        html = render_markdown(headings + markers)
        assert html.count('<div class="toc">') == 1, markers[:8]
        assert len(html) < 60_000
    # In code, a marker is text: it stays, and the table of contents is still made once.
    html = render_markdown("`[TOC]` and `[TOC]`\n\n[TOC]\n\n# A\n\n[TOC]")
    assert html.count("<code>[TOC]</code>") == 2 and html.count('<div class="toc">') == 1


@pytest.mark.parametrize(
    "source",
    [
        # A reference link repeats its URL at every use.
        "[r]: https://example.gov/" + "a" * 1000 + "\n\n" + "[x][r] " * 5000,
        # An abbreviation repeats its title at every occurrence of the word.
        "W " * 5000 + "\n\n*[W]: " + "t" * 1000 + "\n",
    ],
    ids=["reference-links", "abbreviations"],
)
def test_text_that_would_pass_the_html_budget_is_refused_before_it_is_written(settings, source):
    settings.ACADEMY_MARKDOWN_MAX_HTML_BYTES = 1_000_000
    with pytest.raises(MarkdownTooLarge):
        render_markdown_within_budget(source)
    assert render_markdown(source) == (
        "<p>This text would make more than 1000000 bytes of HTML: shorten it or split it.</p>"
    )
    settings.ACADEMY_MARKDOWN_MAX_HTML_BYTES = 10_000_000
    assert len(render_markdown(source)) > 1_000_000  # the same text within a larger budget


EXERCISE = """!!! exercise "Practice: rewrite the notice"
    Rewrite the **notice**.

    !!! solution "Worked example"
        One answer.

        - a point
"""


def test_a_solution_inside_an_exercise_becomes_a_closed_disclosure():
    html = render_markdown(EXERCISE)
    assert html == (
        '<div class="admonition exercise">\n'
        '<p class="admonition-title">Practice: rewrite the notice</p>\n'
        "<p>Rewrite the <strong>notice</strong>.</p>\n"
        "<details>\n<summary>Worked example</summary>\n<p>One answer.</p>\n"
        "<ul>\n<li>a point</li>\n</ul>\n</details>\n</div>"
    )
    assert " open" not in html  # closed until the learner opens it


def test_a_solution_without_a_title_gets_a_summary_and_raw_details_stay_text():
    assert "<details>\n<summary>Solution</summary>" in render_markdown("!!! solution\n    X.")
    raw = render_markdown("<details open><summary>x</summary>y</details>")
    assert "<details" not in raw and "&lt;details open&gt;" in raw
    # attributes and classes on details/summary never pass the sanitiser
    assert sanitize_html(
        '<details open class="usa-modal"><summary class="x">s</summary></details>'
    ) == ("<details><summary>s</summary></details>")
