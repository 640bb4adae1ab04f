"""Markdown to safe HTML: python-markdown without raw HTML, then nh3 with an explicit allowlist.

Rendering happens once, at publication, and the HTML is stored with the version. Raw HTML in the
source is escaped (never interpreted), and nh3 then removes anything outside the allowlist, so
script, event handlers, `javascript:`/`data:` URLs, styles and SVG never reach a page. The only
iframes are the video embeds built by `video_embed_html` for hosts in
settings.ACADEMY_VIDEO_EMBED_HOSTS.
"""

import re
from urllib.parse import parse_qs, urlsplit

import markdown
import nh3
from django.conf import settings
from django.utils.html import escape
from django.utils.text import slugify
from django.utils.translation import gettext as _

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
    "span": {"class"},
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


def _attribute_filter(tag, attribute, value):
    if tag == "iframe" and attribute == "src":
        return value if embed_host_allowed(value) else None
    if tag == "iframe" and attribute == "allow":
        return "fullscreen; picture-in-picture; encrypted-media"
    if attribute == "class":
        # Only the classes python-markdown emits (code languages, admonitions).
        safe = [c for c in value.split() if c.replace("-", "").replace("_", "").isalnum()]
        return " ".join(safe) or None
    return value


# An iframe whose src nh3 dropped (host not allowed) is removed whole, not left empty.
_IFRAME_WITHOUT_SRC = re.compile(r"<iframe\b(?:(?!\ssrc=)[^>])*>.*?</iframe>", re.S | re.I)


def sanitize_html(html: str) -> str:
    """Reduce any HTML to the allowlist above."""
    return _IFRAME_WITHOUT_SRC.sub("", _clean(html))


def _clean(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags=CLEAN_CONTENT_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_attribute_filter,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def _markdown_without_raw_html() -> markdown.Markdown:
    md = markdown.Markdown(
        extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS, output_format="html"
    )
    # Raw HTML blocks and inline tags are treated as text (escaped), never passed through.
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    return md


def render_markdown(source: str) -> str:
    """Markdown source to sanitised HTML. Empty in, empty out."""
    if not source or not source.strip():
        return ""
    return sanitize_html(_markdown_without_raw_html().convert(source))


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
