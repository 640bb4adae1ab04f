"""A strict Content-Security-Policy on every page, and no template that would break it.

The browser tests (tests/e2e/conftest.py) fail on any violation Chromium reports on the pages
they walk; these tests check the header itself and every template, including pages no journey
reaches."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted((ROOT / "templates").rglob("*.html"))
# Emails are read in mail clients, where the policy does not apply and inline styles are the norm.
WEB_TEMPLATES = [t for t in TEMPLATES if "email" not in t.parts]
INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "an inline <script>"),
    (re.compile(r"<style\b", re.I), "a <style> block"),
    (re.compile(r"\sstyle=", re.I), "a style attribute"),
    (re.compile(r"\son[a-z]+=", re.I), "an inline event handler"),
    (re.compile(r"javascript:", re.I), "a javascript: URL"),
]


def directives(response) -> dict[str, set[str]]:
    header = response["Content-Security-Policy"]
    return {
        name: set(values)
        for name, *values in (part.split() for part in header.split(";") if part.strip())
    }


@pytest.mark.parametrize("path", ["/", "/help/", "/accounts/login/", "/verify/unknown/"])
def test_every_page_sends_a_strict_policy(client, db, path):
    policy = directives(client.get(path))
    assert policy["script-src"] == {"'self'"}
    assert policy["style-src"] == {"'self'"}
    assert policy["object-src"] == {"'none'"}
    assert policy["frame-ancestors"] == {"'none'"}
    assert policy["base-uri"] == {"'self'"}
    assert not any("unsafe" in value for values in policy.values() for value in values)


def test_signed_in_pages_send_it_too(client, world):
    client.force_login(world.a_manager)
    assert directives(client.get("/reports/"))["script-src"] == {"'self'"}


def test_video_hosts_are_the_only_frames(client, db, settings):
    assert directives(client.get("/"))["frame-src"] == {
        f"https://{host}" for host in settings.ACADEMY_VIDEO_EMBED_HOSTS
    }


@pytest.mark.parametrize("template", WEB_TEMPLATES, ids=lambda t: str(t.relative_to(ROOT)))
def test_no_template_needs_inline_script_or_style(template):
    text = template.read_text()
    found = [what for pattern, what in INLINE if pattern.search(text)]
    assert not found, f"{template.relative_to(ROOT)} has {', '.join(found)}"


def test_the_header_is_django_csps_byte_for_byte(client, db, settings):
    from csp.utils import build_policy

    assert client.get("/").headers["Content-Security-Policy"] == build_policy()
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": {"img-src": ["'self'"]}}
    response = client.get("/help/")
    assert response.headers["Content-Security-Policy"] == build_policy() == "default-src 'none'"
    assert response.headers["Content-Security-Policy-Report-Only"] == build_policy(report_only=True)


def test_a_per_view_policy_or_a_nonce_goes_through_django_csp(rf):
    from csp.middleware import CSPMiddleware as DjangoCsp
    from django.http import HttpResponse

    from academy.middleware import CSPMiddleware

    def respond(middleware, *, update=None, nonce=False):
        request = rf.get("/")
        middleware.process_request(request)
        if nonce:
            str(request.csp_nonce)
        response = HttpResponse("ok")
        if update:
            response._csp_update = update
        return middleware.process_response(request, response)

    ours, theirs = CSPMiddleware(lambda r: None), DjangoCsp(lambda r: None)
    update = {"img-src": ["https://images.example.gov"]}
    assert (
        respond(ours, update=update)["Content-Security-Policy"]
        == respond(theirs, update=update)["Content-Security-Policy"]
    )
    assert "https://images.example.gov" in respond(ours, update=update)["Content-Security-Policy"]
    # The policy has no nonce source, so a nonce asked for changes nothing; it is django-csp's.
    assert (
        respond(ours, nonce=True)["Content-Security-Policy"]
        == respond(theirs, nonce=True)["Content-Security-Policy"]
    )
    assert respond(ours)["Content-Security-Policy"] == respond(theirs)["Content-Security-Policy"]
