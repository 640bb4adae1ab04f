"""The project's cheaper subclasses of Django's middleware answer exactly as Django's do.

Each request is run through Django's middleware and through the project's, and everything
they decide is compared: the language activated, `request.LANGUAGE_CODE`, the response's
status, headers and redirect. A URLconf with `i18n_patterns` (this module's) goes through
Django's own code paths."""

import pytest
from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import messages
from django.contrib.messages.middleware import MessageMiddleware as DjangoMessageMiddleware
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.messages.storage.session import SessionStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.http import HttpResponse, HttpResponseNotFound
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.test import RequestFactory, override_settings
from django.urls import path
from django.utils import translation

from academy import middleware

urlpatterns = i18n_patterns(path("page/", lambda request: HttpResponse("page")))
PREFIXED_URLCONF = __name__


def test_the_project_uses_the_cheaper_middleware():
    assert "academy.middleware.LocaleMiddleware" in settings.MIDDLEWARE
    assert "academy.middleware.MessageMiddleware" in settings.MIDDLEWARE
    assert "django.middleware.locale.LocaleMiddleware" not in settings.MIDDLEWARE


def _through(middleware_class, make_request, response):
    """What the middleware decides for this request: the language it activates, the request's
    LANGUAGE_CODE and the response's status, headers and location."""
    request = make_request()
    seen = {}

    def view(request):
        seen["active"] = translation.get_language()
        seen["code"] = request.LANGUAGE_CODE
        return response()

    try:
        answer = middleware_class(view)(request)
    finally:
        translation.deactivate()
    return seen, answer.status_code, sorted(answer.items())


LANGUAGE_REQUESTS = {
    "no preference": {},
    "Accept-Language fr": {"HTTP_ACCEPT_LANGUAGE": "fr-CA,fr;q=0.9,en;q=0.5"},
    "Accept-Language unknown": {"HTTP_ACCEPT_LANGUAGE": "de-DE,de;q=0.9"},
    "cookie fr": {"HTTP_COOKIE": f"{settings.LANGUAGE_COOKIE_NAME}=fr"},
    "cookie fr, Accept-Language en": {
        "HTTP_COOKIE": f"{settings.LANGUAGE_COOKIE_NAME}=fr",
        "HTTP_ACCEPT_LANGUAGE": "en",
    },
    "cookie unknown": {"HTTP_COOKIE": f"{settings.LANGUAGE_COOKIE_NAME}=xx"},
}
PATHS = ["/", "/courses/", "/fr/", "/fr/courses/", "/en/page/", "/fr/page/", "/page/", "/de/"]


@pytest.mark.parametrize("urlconf", [None, PREFIXED_URLCONF])
@pytest.mark.parametrize("status", [200, 404])
@pytest.mark.parametrize("request_path", PATHS)
@pytest.mark.parametrize("headers", LANGUAGE_REQUESTS.values(), ids=LANGUAGE_REQUESTS.keys())
def test_locale_middleware_decides_as_djangos(urlconf, status, request_path, headers):
    def make_request():
        request = RequestFactory().get(request_path, **headers)
        if urlconf:
            request.urlconf = urlconf
        return request

    def response():
        return HttpResponse("ok") if status == 200 else HttpResponseNotFound("missing")

    ours = _through(middleware.LocaleMiddleware, make_request, response)
    djangos = _through(DjangoLocaleMiddleware, make_request, response)
    assert ours == djangos


def test_locale_middleware_serves_french_from_the_cookie(client, db):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    response = client.get("/help/")
    assert response["Content-Language"] == "fr"
    assert "Accept-Language" in response["Vary"]
    assert response.wsgi_request.LANGUAGE_CODE == "fr"


def test_locale_middleware_prefixed_urlconf_redirects_as_django():
    """With i18n_patterns, a path without its language prefix is redirected (Django's path)."""

    def make_request():
        request = RequestFactory().get("/page/", HTTP_ACCEPT_LANGUAGE="fr")
        request.urlconf = PREFIXED_URLCONF
        return request

    seen, status, headers = _through(
        middleware.LocaleMiddleware, make_request, lambda: HttpResponseNotFound()
    )
    assert (status, dict(headers)["Location"]) == (302, "/fr/page/")


def _messages_request():
    request = RequestFactory().get("/")
    request.session = SessionStore()
    return request


@pytest.mark.parametrize("storage", [FallbackStorage, SessionStorage])
def test_message_middleware_uses_the_configured_storage(storage):
    path = f"{storage.__module__}.{storage.__qualname__}"
    with override_settings(MESSAGE_STORAGE=path):
        request = _messages_request()
        middleware.MessageMiddleware(lambda request: HttpResponse())(request)
        assert type(request._messages) is storage


def test_message_middleware_stores_messages_as_djangos():
    def stored(middleware_class):
        request = _messages_request()

        def view(request):
            messages.info(request, "Saved.")
            return HttpResponse()

        response = middleware_class(view)(request)
        return sorted(response.cookies), request.session.items()

    assert stored(middleware.MessageMiddleware) == stored(DjangoMessageMiddleware)
    assert stored(middleware.MessageMiddleware)[0] == ["messages"]
