"""Cheaper equivalents of third-party middleware, on the path of every request."""

import functools
import http.client

from csp import middleware as csp_middleware
from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.utils import build_policy
from django.conf import settings
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.contrib.messages import middleware as messages_middleware
from django.middleware import locale
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.module_loading import import_string


class LocaleMiddleware(locale.LocaleMiddleware):
    """Django's, without looking for a language in the path when no URL pattern has one.

    Django resolves the path's language prefix twice per request (and, for a first path segment
    that is no language, fails the cached lookup each time) even when the URLconf uses no
    `i18n_patterns`, where its answer changes nothing. Such a URLconf's requests get the
    language from the cookie or Accept-Language as before; any other goes through Django.
    """

    def process_request(self, request):
        if _language_prefix_used(request):
            return super().process_request(request)
        translation.activate(translation.get_language_from_request(request, check_path=False))
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        if _language_prefix_used(request):
            return super().process_response(request, response)
        language = translation.get_language()
        patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", language)
        return response


def _language_prefix_used(request) -> bool:
    return is_language_prefix_patterns_used(getattr(request, "urlconf", settings.ROOT_URLCONF))[0]


class MessageMiddleware(messages_middleware.MessageMiddleware):
    """Django's, with the storage class imported once for each value of MESSAGE_STORAGE
    rather than on every request."""

    def process_request(self, request):
        request._messages = _message_storage_class(settings.MESSAGE_STORAGE)(request)


@functools.lru_cache(maxsize=8)
def _message_storage_class(dotted_path: str):
    return import_string(dotted_path)


# What a view or a decorator (csp_update, csp_replace, csp_exempt's siblings) may set on a
# response to change its policy; a nonce asked for by a template changes it too.
_PER_RESPONSE = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
)


class CSPMiddleware(csp_middleware.CSPMiddleware):
    """django-csp's middleware, with the policy built once per process.

    django-csp builds the header from settings on every response (copying every directive, and
    a dataclass to a dict twice): about 0.3 ms of CPU per request, the same string each time.
    Here the response of a request that changes nothing (no nonce used, no per-view policy)
    gets the string built by django-csp's own `build_policy` the first time, for as long as the
    settings hold the same policy objects; any other response goes through django-csp itself.
    The headers set, and when, are django-csp's (tests/academy/test_csp.py compares them).
    """

    _built: tuple = (None, None, ())

    def process_response(self, request, response):
        if getattr(request, "_csp_nonce", None) is not None or any(
            getattr(response, name, None) is not None for name in _PER_RESPONSE
        ):
            return super().process_response(request, response)
        if settings.DEBUG and response.status_code in (
            http.client.INTERNAL_SERVER_ERROR,
            http.client.NOT_FOUND,
        ):
            return response
        path = request.path_info
        for name, value, exempt_attribute, excluded in self._headers()[2]:
            if (
                value
                and getattr(response, exempt_attribute, False) is False
                and name not in response
                and not path.startswith(excluded)
            ):
                response[name] = value
        # As django-csp does: a nonce asked for after the header is written raises.
        request.csp_nonce = csp_middleware.CheckableLazyObject(self._csp_nonce_post_response)
        return response

    @classmethod
    def _headers(cls) -> tuple:
        """(policy, report-only policy, ((header, value, exempt attribute, excluded prefixes),
        one for each of the two headers)), rebuilt when the settings' policies change."""
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", None)
        policy_ro = getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
        built = cls._built
        if built[0] is not policy or built[1] is not policy_ro:
            built = cls._built = (
                policy,
                policy_ro,
                tuple(
                    (
                        name,
                        build_policy(report_only=report_only),
                        exempt_attribute,
                        tuple((config or {}).get("EXCLUDE_URL_PREFIXES", None) or ()),
                    )
                    for name, config, report_only, exempt_attribute in (
                        (HEADER, policy, False, "_csp_exempt"),
                        (HEADER_REPORT_ONLY, policy_ro, True, "_csp_exempt_ro"),
                    )
                ),
            )
        return built
