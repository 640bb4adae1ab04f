"""academy.fragments' per-request CSRF token: Django's masking made cheaper, still accepted by
CsrfViewMiddleware, fresh on every request and the same within one."""

import re
from collections import Counter

import pytest
from django.middleware.csrf import (
    CSRF_ALLOWED_CHARS,
    CSRF_SECRET_LENGTH,
    CsrfViewMiddleware,
    _get_new_csrf_string,
    _unmask_cipher_token,
)
from django.test import Client, RequestFactory
from django.urls import reverse

from academy.fragments import csrf_token, masked_csrf_token

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"')


def test_masked_token_unmasks_to_its_secret_with_djangos_own_function():
    for _ in range(200):
        secret = _get_new_csrf_string()
        token = masked_csrf_token(secret)
        assert len(token) == 2 * CSRF_SECRET_LENGTH
        assert set(token) <= set(CSRF_ALLOWED_CHARS)
        assert _unmask_cipher_token(token) == secret


def test_masks_differ_and_use_the_whole_alphabet():
    secret = _get_new_csrf_string()
    tokens = {masked_csrf_token(secret) for _ in range(100)}
    assert len(tokens) == 100
    seen = Counter(c for t in tokens for c in t[:CSRF_SECRET_LENGTH])
    assert set(seen) == set(CSRF_ALLOWED_CHARS)  # 3,200 draws: every one of the 62 letters


def test_one_token_per_request_from_its_cookie_and_the_cookie_renewed():
    secret = _get_new_csrf_string()
    request = RequestFactory().get("/")
    request.META["CSRF_COOKIE"] = secret
    first = csrf_token(request)
    assert csrf_token(request) == first
    assert _unmask_cipher_token(first) == secret
    assert request.META["CSRF_COOKIE_NEEDS_UPDATE"]
    other = RequestFactory().get("/")
    other.META["CSRF_COOKIE"] = secret
    assert csrf_token(other) != first


def test_a_request_without_a_cookie_gets_a_new_secret_as_get_token_gives():
    request = RequestFactory().get("/")
    token = csrf_token(request)
    secret = request.META["CSRF_COOKIE"]
    assert len(secret) == CSRF_SECRET_LENGTH and set(secret) <= set(CSRF_ALLOWED_CHARS)
    assert _unmask_cipher_token(token) == secret
    assert request.META["CSRF_COOKIE_NEEDS_UPDATE"]


def test_a_rotated_secret_gets_a_token_of_its_own():
    request = RequestFactory().get("/")
    request.META["CSRF_COOKIE"] = _get_new_csrf_string()
    before = csrf_token(request)
    request.META["CSRF_COOKIE"] = rotated = _get_new_csrf_string()  # as rotate_token on sign-in
    after = csrf_token(request)
    assert after != before and _unmask_cipher_token(after) == rotated


def test_the_middleware_accepts_the_token_and_refuses_another():
    secret = _get_new_csrf_string()
    middleware = CsrfViewMiddleware(lambda request: None)

    def post(token):
        request = RequestFactory().post("/", {"csrfmiddlewaretoken": token})
        request.COOKIES["csrftoken"] = secret
        middleware.process_request(request)
        return middleware.process_view(request, lambda r: None, (), {})

    assert post(masked_csrf_token(secret)) is None  # accepted
    assert post(masked_csrf_token(_get_new_csrf_string())).status_code == 403


@pytest.mark.django_db
def test_sign_out_form_of_a_served_page_passes_the_csrf_check(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.a_learner)
    page = client.get(reverse("learning:my_learning")).content.decode()
    token = TOKEN.search(page).group(1)
    response = client.post(reverse("account_logout"), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    refused = Client(enforce_csrf_checks=True)
    refused.force_login(world.a_learner)
    refused.get(reverse("learning:my_learning"))
    assert (
        refused.post(reverse("account_logout"), {"csrfmiddlewaretoken": "x" * 64}).status_code
        == 403
    )


def test_mask_bytes_above_the_last_whole_alphabet_are_drawn_again_not_folded(monkeypatch):
    # 248 = 4 x 62: a byte of 248 or more would favour the first letters; it is skipped.
    draws = iter([bytes([255, 248, 0, 61, 62, 247] * 8), bytes(range(48))])
    monkeypatch.setattr("academy.fragments.os.urandom", lambda n: next(draws))
    token = masked_csrf_token("a" * CSRF_SECRET_LENGTH)
    mask = token[:CSRF_SECRET_LENGTH]
    chars = CSRF_ALLOWED_CHARS
    expected = ([0, 61, 0, 61] * 8 + list(range(48)))[:CSRF_SECRET_LENGTH]
    assert mask == "".join(chars[i] for i in expected)
    assert _unmask_cipher_token(token) == "a" * CSRF_SECRET_LENGTH


def test_fragment_cache_hands_out_strings_as_stored_and_other_values_as_copies():
    from django.core.cache import caches
    from django.utils.safestring import SafeString, mark_safe

    from academy.fragments import FragmentCache

    cache = caches["fragments"]
    assert isinstance(cache, FragmentCache)
    html = mark_safe("<p>" + "x" * 1000 + "</p>")
    cache.set("test-fragment-str", html)
    found = cache.get("test-fragment-str")
    assert found is html and isinstance(found, SafeString)
    entry = ["a", {"b": 1}]
    assert cache.add("test-fragment-list", entry) is True
    assert cache.add("test-fragment-list", ["other"]) is False
    copy = cache.get("test-fragment-list")
    assert copy == entry and copy is not entry
    copy.append("changed by a reader")
    assert cache.get("test-fragment-list") == entry
    assert cache.get("test-fragment-missing", "default") == "default"
    cache.set("test-fragment-number", 1)
    assert cache.incr("test-fragment-number") == 2
    with pytest.raises(TypeError):
        cache.incr("test-fragment-str")


def test_fragment_cache_keeps_its_bound_and_expiry():
    from academy.fragments import FragmentCache

    cache = FragmentCache(
        "test-fragment-bound", {"OPTIONS": {"MAX_ENTRIES": 10, "CULL_FREQUENCY": 2}}
    )
    for i in range(25):
        cache.set(f"k{i}", f"fragment {i}")
    assert len(cache._cache) <= 10
    assert cache.get("k24") == "fragment 24"
    cache.set("short", "gone soon", timeout=-1)
    assert cache.get("short") is None
