"""Template fragments rendered once per process for each combination of what they show.

A fragment is cached under a key built from every value that determines its markup (the
language, a version, a set of keys done...), never per user and never with a time-to-live
standing in for invalidation: when something changes, the key changes. The values that differ
on every request (the CSRF token) are rendered as placeholders and put in per request with
`str.replace`, so the HTML is the same, byte for byte, as rendering the template each time.

Used by the page shell (academy/templatetags/page_shell.py: the header, the session warning)
and by the lesson player (learning.views). The cache is the per-process `fragments` cache
(settings.CACHES): no round trip, bounded by its MAX_ENTRIES.
"""

import hashlib
import operator
import os
import pickle
from collections.abc import Callable

from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH, get_token

# Placeholders: letters and digits only, so escaping and URL-encoding leave them as they are.
CSRF_SLOT = "AcademyShellCsrfSlot7f3a"

TIMEOUT = 24 * 3600  # an entry's key changes with its content: this only frees memory


class FragmentCache(LocMemCache):
    """The `fragments` cache (settings.CACHES): Django's LocMemCache, except that a string is
    kept as it is rather than pickled. Fragments are strings, read on every request, and
    unpickling one means decoding and copying it (a lesson player of 30 KB: about 15 us); a
    string cannot be changed, so handing out the stored one is as safe as a copy. Any other
    value is pickled as LocMemCache does (its reader gets its own copy)."""

    def validate_key(self, key):
        """Nothing: Django checks keys for memcached's limits (4 us a key, every read), and this
        cache is never memcached; its keys are digests (`fragment`)."""

    def get(self, key, default=None, version=None):
        key = self.make_and_validate_key(key, version=version)
        with self._lock:
            if self._has_expired(key):
                self._delete(key)
                return default
            stored = self._cache[key]
            self._cache.move_to_end(key, last=False)
        return stored if isinstance(stored, str) else pickle.loads(stored)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        stored = self._stored(value)
        with self._lock:
            self._set(key, stored, timeout)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        stored = self._stored(value)
        with self._lock:
            if self._has_expired(key):
                self._set(key, stored, timeout)
                return True
            return False

    def incr(self, key, delta=1, version=None):
        if isinstance(self.get(key, version=version), str):
            raise TypeError("a string fragment cannot be incremented")
        return super().incr(key, delta, version)

    def _stored(self, value):
        return value if isinstance(value, str) else pickle.dumps(value, self.pickle_protocol)


def fragment(parts: tuple, render: Callable[[], str]) -> str:
    """The fragment for these parts (a tuple of plain values whose `repr` is stable) from the
    process's fragment cache, rendered with `render()` on a miss."""
    key = "shell:" + hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()
    cache = caches["fragments"]
    html = cache.get(key)
    if html is None:
        html = render()
        cache.set(key, html, TIMEOUT)
    return html


def with_csrf_token(html: str, request) -> str:
    """The fragment with this request's CSRF token in place of CSRF_SLOT."""
    if CSRF_SLOT not in html:
        return html
    return html.replace(CSRF_SLOT, csrf_token(request))


def page_with_content(
    request, *, parts: tuple, render: Callable[[], str], content: str, content_slot: str
) -> str:
    """A whole page from its skeleton (rendered once per process under `parts` by `render`,
    with `content_slot` where `content` goes and the page shell's markers, see
    academy.templatetags.page_shell) completed for this request: this request's header and
    session warning, and `content` (with this request's CSRF token)."""
    from academy.templatetags.page_shell import fill_skeleton  # the shell's tags import us

    skeleton = fragment(parts, render)
    return fill_skeleton(
        skeleton, request, content=with_csrf_token(content, request), content_slot=content_slot
    )


# CSRF tokens. Django's get_token() masks the secret with 32 characters drawn one by one from
# the operating system's random source (32 system calls, ~0.1 ms of CPU); every form on the
# page needs one, on every page. Here one token is made per request and reused by every
# fragment of it, and the mask (and a new secret, when the request brought none) is drawn in
# one call: the same algorithm and alphabet as
# django.middleware.csrf._mask_cipher_secret (so CsrfViewMiddleware unmasks it as its own), the
# mask uniform over the alphabet (bytes >= 248 = 4 x 62 are drawn again, not folded).
_CHARS = CSRF_ALLOWED_CHARS
_UNBIASED = 256 - 256 % len(_CHARS)
# Random bytes to characters in C (bytes.translate): a byte b < _UNBIASED becomes _CHARS[b % 62],
# the others are dropped (drawn again), as the former per-byte loop did.
_BYTE_TO_CHAR = bytes(ord(_CHARS[b % len(_CHARS)]) if b < _UNBIASED else 0 for b in range(256))
_BIASED_BYTES = bytes(range(_UNBIASED, 256))
# (secret character + mask character) -> the ciphered character, _CHARS[(i + j) % 62].
_CIPHER = {
    a + b: _CHARS[(i + j) % len(_CHARS)] for i, a in enumerate(_CHARS) for j, b in enumerate(_CHARS)
}
_ALPHABET = frozenset(_CHARS)
_REQUEST_TOKEN = "_academy_csrf_token"


def _random_chars() -> str:
    """CSRF_SECRET_LENGTH characters drawn uniformly from the alphabet."""
    chars = b""
    while len(chars) < CSRF_SECRET_LENGTH:
        chars += os.urandom(48).translate(_BYTE_TO_CHAR, _BIASED_BYTES)
    return chars[:CSRF_SECRET_LENGTH].decode("ascii")


def masked_csrf_token(secret: str) -> str:
    """A fresh masked form of the CSRF secret, as Django's `_mask_cipher_secret` makes it."""
    mask = _random_chars()
    return mask + "".join(map(_CIPHER.__getitem__, map(operator.add, secret, mask)))


def csrf_token(request) -> str:
    """This request's CSRF token for forms, as `get_token` answers it (a new secret and cookie
    when the request brought none; the cookie renewed in the response), made once per request."""
    secret = request.META.get("CSRF_COOKIE")
    made = getattr(request, _REQUEST_TOKEN, None)
    if made is not None and made[0] == secret:  # the secret not rotated since (a sign-in)
        return made[1]
    if secret is None:  # as django.middleware.csrf._add_new_csrf_cookie: a new secret
        secret = _random_chars()
        request.META["CSRF_COOKIE"] = secret
    if len(secret) != CSRF_SECRET_LENGTH or not set(secret) <= _ALPHABET:
        token = get_token(request)  # not a secret as the middleware keeps them: Django's way
    else:
        request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
        token = masked_csrf_token(secret)
    setattr(request, _REQUEST_TOKEN, (request.META.get("CSRF_COOKIE"), token))
    return token
