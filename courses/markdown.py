"""Markdown to safe HTML: python-markdown without raw HTML, then nh3 with an explicit allowlist.

Rendering happens once, at publication, and the HTML is stored with the version. Raw HTML in the
source is escaped (never interpreted), and nh3 then removes anything outside the allowlist, so
script, event handlers, `javascript:`/`data:` URLs, styles and SVG never reach a page. The only
iframes are the video embeds built by `video_embed_html` for hosts in
settings.ACADEMY_VIDEO_EMBED_HOSTS.

Trainers may not restyle the page: a `class` survives only from a short allowlist (the callout
kinds in ADMONITION_KINDS, `toc`, `admonition-title`, a code block's `language-*`), so the
USWDS utility classes the site loads cannot draw a fake sign-in over a lesson. Images load only
from the lesson's own attachments (named in the Markdown, rewritten to their stored URL by
`link_attachments`) or from hosts in settings.ACADEMY_IMAGE_HOSTS; any other image becomes its
alt text (a link to it when it is a web address), so lessons cannot track who reads them.

Markdown can amplify: a reference link repeats its URL at every use, an abbreviation its title
at every occurrence of the word, and `[TOC]` the whole table of contents at every marker. Only
the first `[TOC]` marker is kept, and the tree is measured before it is written out: a text
whose HTML would pass ACADEMY_MARKDOWN_MAX_HTML_BYTES is never serialised (`MarkdownTooLarge`),
so a few kilobytes of Markdown cannot make a worker hold hundreds of megabytes.
"""

import re
from urllib.parse import parse_qs, urlsplit
from xml.etree import ElementTree

import markdown
import nh3
from django.conf import settings
from django.utils.html import escape
from django.utils.text import slugify
from django.utils.translation import gettext as _
from markdown.treeprocessors import Treeprocessor

from .conf import limit

EXTENSIONS = ["tables", "fenced_code", "admonition", "toc", "sane_lists", "def_list", "abbr"]
EXTENSION_CONFIGS = {
    "tables": {"use_align_attribute": True},
    # Prefix heading ids so a heading cannot clobber a DOM global such as `document.forms`.
    "toc": {"slugify": lambda value, separator: "h-" + slugify(value), "permalink": False},
}

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "dd",
    "del",
    "details",
    "div",
    "dl",
    "dt",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "span",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
    "iframe",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "code": {"class"},
    "div": {"class"},
    "p": {"class"},
    "span": {"class"},  # toc's "toctitle" only; see _allowed_classes
    "th": {"align"},
    "td": {"align"},
    "ol": {"start"},
    "h1": {"id"},
    "h2": {"id"},
    "h3": {"id"},
    "h4": {"id"},
    "h5": {"id"},
    "h6": {"id"},
    "iframe": {"src", "title", "allow", "allowfullscreen", "width", "height"},
}
URL_SCHEMES = {"http", "https", "mailto"}
# Removed together with everything inside them, not just unwrapped.
CLEAN_CONTENT_TAGS = {"script", "style", "svg", "math", "template", "object", "embed"}


def embed_host_allowed(url: str) -> bool:
    parts = urlsplit(url or "")
    return parts.scheme == "https" and parts.hostname in set(settings.ACADEMY_VIDEO_EMBED_HOSTS)


# The callout kinds (`!!! tip "Title"`), styled as USWDS alerts in static/css/lesson.css; any
# other kind is shown as a note. `exercise` is a practice task; a `!!! solution "Title"` block
# (inside it, usually) becomes a closed <details> disclosure whose <summary> is its title: the
# worked example, opened by the learner when ready, with no script (see _WorkedExamples).
ADMONITION_KINDS = ("note", "tip", "warning", "important", "example", "exercise")
SOLUTION_KIND = "solution"
_LANGUAGE_CLASS = re.compile(r"language-[a-z0-9][a-z0-9+#_.-]{0,30}")


def _allowed_classes(tag: str, value: str) -> str | None:
    """The class value kept for `tag`: only what python-markdown emits for its features."""
    classes = value.lower().split()
    if tag == "div" and "admonition" in classes:
        kind = next((c for c in classes if c in ADMONITION_KINDS), ADMONITION_KINDS[0])
        return f"admonition {kind}"
    if tag == "div" and classes == ["toc"]:
        return "toc"
    if tag == "p" and classes == ["admonition-title"]:
        return "admonition-title"
    if tag == "span" and classes == ["toctitle"]:
        return "toctitle"
    if tag == "code":
        return next((c for c in classes if _LANGUAGE_CLASS.fullmatch(c)), None)
    return None


def image_host_allowed(url: str) -> bool:
    parts = urlsplit(url or "")
    return parts.scheme == "https" and parts.hostname in set(settings.ACADEMY_IMAGE_HOSTS)


def image_allowed(src: str | None, local: frozenset = frozenset()) -> bool:
    """An image source a lesson may load: one of its attachments (`local`, the references
    `link_attachments` rewrites), or an https address on a host in ACADEMY_IMAGE_HOSTS."""
    return bool(src) and (src in local or image_host_allowed(src))


def _attribute_filter_for(images: frozenset):
    def attribute_filter(tag, attribute, value):
        if tag == "iframe" and attribute == "src":
            return value if embed_host_allowed(value) else None
        if tag == "iframe" and attribute == "allow":
            return "fullscreen; picture-in-picture; encrypted-media"
        if tag == "img" and attribute == "src":
            return value if image_allowed(value, images) else None
        if attribute == "class":
            return _allowed_classes(tag, value)
        return value

    return attribute_filter


# An iframe whose src nh3 dropped (host not allowed) is removed whole, not left empty.
_IFRAME_WITHOUT_SRC = re.compile(r"<iframe\b(?:(?!\ssrc=)[^>])*>.*?</iframe>", re.S | re.I)


def sanitize_html(html: str, *, images: frozenset = frozenset()) -> str:
    """Reduce any HTML to the allowlist above; `images` are the relative image sources allowed
    besides ACADEMY_IMAGE_HOSTS (an `img` with any other source loses it)."""
    return _IFRAME_WITHOUT_SRC.sub("", _clean(html, frozenset(images)))


def _clean(html: str, images: frozenset) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags=CLEAN_CONTENT_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_attribute_filter_for(images),
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


class _ImageGate(Treeprocessor):
    """Replace each image that may not load by its alt text: a link to the image when its
    source is a web address (the learner chooses to open it), plain text otherwise, nothing
    when it has no alt text."""

    def __init__(self, md, images: frozenset):
        super().__init__(md)
        self.images = images

    def run(self, root):
        for parent in list(root.iter()):
            for index, child in enumerate(list(parent)):
                if child.tag != "img" or image_allowed(child.get("src"), self.images):
                    continue
                src, alt = child.get("src") or "", (child.get("alt") or "").strip()
                web = src.startswith(("https://", "http://"))
                replacement = ElementTree.Element("a" if web else "span")
                if web:
                    replacement.set("href", src)
                replacement.text = alt
                replacement.tail = child.tail
                if alt:
                    parent[index] = replacement
                else:
                    self._remove(parent, index, child)

    @staticmethod
    def _remove(parent, index, child):
        if child.tail:
            if index:
                previous = parent[index - 1]
                previous.tail = (previous.tail or "") + child.tail
            else:
                parent.text = (parent.text or "") + child.tail
        parent.remove(child)


class _WorkedExamples(Treeprocessor):
    """Turn each `!!! solution "Title"` admonition into `<details><summary>Title</summary>…`:
    the browser's own disclosure (keyboard and screen-reader ready, no script for the CSP)."""

    def run(self, root):
        for element in root.iter("div"):
            classes = (element.get("class") or "").split()
            if "admonition" not in classes or SOLUTION_KIND not in classes:
                continue
            element.tag = "details"
            element.attrib.clear()
            first = element[0] if len(element) else None
            if first is not None and first.tag == "p" and first.get("class") == "admonition-title":
                first.tag = "summary"
                first.attrib.clear()
            else:
                summary = ElementTree.Element("summary")
                summary.text = _("Worked example")
                element.insert(0, summary)


TOC_MARKER = "[TOC]"


class MarkdownTooLarge(ValueError):
    """The text would render to more HTML than ACADEMY_MARKDOWN_MAX_HTML_BYTES."""

    def __init__(self, budget: int):
        self.budget = budget
        super().__init__(
            _("This text would make more than %d bytes of HTML: shorten it or split it.") % budget
        )


class _OneTableOfContents(Treeprocessor):
    """Keep the first `[TOC]` marker and drop the others (before the toc extension, which
    would put the whole table of contents at every element, paragraph or list item, that is
    only a marker). Markers are looked for where the toc extension looks: outside headings,
    code and preformatted text."""

    SKIPPED = re.compile(r"[Hh][1-6]|pre|code")

    def run(self, root):
        seen, extra = False, {}
        stack = [root]
        while stack:
            parent = stack.pop()
            for child in parent:
                if self.SKIPPED.fullmatch(child.tag or ""):
                    continue
                if len(child) == 0 and (child.text or "").strip() == TOC_MARKER:
                    if seen:
                        extra.setdefault(id(parent), (parent, set()))[1].add(id(child))
                    seen = True
                stack.append(child)
        for parent, dropped in extra.values():
            parent[:] = [child for child in parent if id(child) not in dropped]


class _SizeGate(Treeprocessor):
    """Refuse, before serialising, a tree whose HTML would pass the budget. The tree shares
    repeated strings (a reference link's URL, an abbreviation's title), so it is small even
    when its HTML would not be; counting it costs one walk."""

    def run(self, root):
        budget, size = limit("ACADEMY_MARKDOWN_MAX_HTML_BYTES"), 0
        for element in root.iter():
            # "<tag>text</tag>tail" and a line break.
            size += 2 * len(element.tag) + 6 + len(element.text or "") + len(element.tail or "")
            for name, value in element.attrib.items():
                size += len(name) + len(value) + 4
            if size > budget:
                raise MarkdownTooLarge(budget)


def _markdown_without_raw_html(images: frozenset) -> markdown.Markdown:
    md = markdown.Markdown(
        extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS, output_format="html"
    )
    # Raw HTML blocks and inline tags are treated as text (escaped), never passed through.
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    # After the inline patterns (20) have made the img elements.
    md.treeprocessors.register(_ImageGate(md, images), "academy_image_gate", 5)
    # Between the inline patterns (20) and the table of contents (5).
    md.treeprocessors.register(_OneTableOfContents(md), "academy_one_toc", 6)
    md.treeprocessors.register(_WorkedExamples(md), "academy_worked_examples", 4)
    # Last before the tree is written out (the unescape step, 0, only restores escapes).
    md.treeprocessors.register(_SizeGate(md), "academy_size_gate", 1)
    return md


def render_markdown(source: str, *, images=()) -> str:
    """Markdown source to sanitised HTML. Empty in, empty out.

    `images` are the relative image sources this text may use (its lesson's attachments, as
    `attachment_refs` lists them); other images load only from ACADEMY_IMAGE_HOSTS. A text
    that would pass ACADEMY_MARKDOWN_MAX_HTML_BYTES renders as one paragraph saying so.
    """
    try:
        return render_markdown_within_budget(source, images=images)
    except MarkdownTooLarge as too_large:
        return f"<p>{escape(str(too_large))}</p>"


def render_markdown_within_budget(source: str, *, images=()) -> str:
    """`render_markdown`, but a text over ACADEMY_MARKDOWN_MAX_HTML_BYTES raises
    MarkdownTooLarge (for checks that report it as a problem)."""
    if not source or not source.strip():
        return ""
    images = frozenset(images)
    return sanitize_html(_markdown_without_raw_html(images).convert(source), images=images)


def embed_url(url: str) -> str | None:
    """The embeddable player URL for a video link, or None if its host is not allowed.

    YouTube watch/short links are turned into youtube-nocookie embeds and Vimeo page links into
    player links when those hosts are allowed; any other link must already be a player URL.
    """
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https"):
        return None
    host = (parts.hostname or "").lower()
    candidate = url
    if host in ("www.youtube.com", "youtube.com", "m.youtube.com") and parts.path == "/watch":
        video = parse_qs(parts.query).get("v", [""])[0]
        candidate = f"https://www.youtube-nocookie.com/embed/{video}" if video.isascii() else ""
    elif host == "youtu.be":
        candidate = f"https://www.youtube-nocookie.com/embed{parts.path}"
    elif host in ("vimeo.com", "www.vimeo.com") and parts.path.strip("/").isdigit():
        candidate = f"https://player.vimeo.com/video/{parts.path.strip('/')}"
    return candidate if embed_host_allowed(candidate) else None


def video_embed_html(url: str, *, title: str) -> str:
    """An iframe for an allowed video host; a plain link for any other http(s) video link."""
    if not url:
        return ""
    src = embed_url(url)
    if src:
        html = (
            f'<iframe src="{escape(src)}" title="{escape(title)}" width="640" height="360" '
            'allow="fullscreen" allowfullscreen></iframe>'
        )
    else:
        html = f'<p><a href="{escape(url)}">{escape(_("Watch the video: %s") % title)}</a></p>'
    return sanitize_html(html)
