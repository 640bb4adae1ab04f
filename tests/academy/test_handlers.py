"""The WSGI handler (academy/handlers.py): URL matches kept per process, the same as Django's."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory, override_settings
from django.urls import Resolver404, get_resolver, path, resolve

from academy.handlers import WSGIHandler, kept_match


def only_view(request):
    return HttpResponse("only")


urlpatterns = [path("only/<slug:name>/", only_view, name="only")]  # ROOT_URLCONF for one test

PATHS = [
    "/",
    "/healthz",
    "/courses/",
    "/learn/",
    "/learn/effective-prompts/lessons/anatomy-of-a-prompt/",
    "/accounts/login/",
    "/agency/members/",
    "/agency/members/7/",
    "/api/v1/enrollments/",
    "/django-admin/",
]


@pytest.fixture
def handler():
    kept_match.cache_clear()
    return WSGIHandler()


def resolved_by(handler, url: str):
    return handler.resolve_request(RequestFactory().get(url))


def same_match(mine, django):
    fields = ("func", "args", "kwargs", "url_name", "app_names", "namespaces", "route")
    return all(getattr(mine, f) == getattr(django, f) for f in fields)


@pytest.mark.parametrize("url", PATHS)
def test_matches_are_django_s_and_kept(handler, url):
    first = resolved_by(handler, url)
    second = resolved_by(handler, url)

    assert same_match(first, resolve(url))
    assert same_match(second, resolve(url))
    assert kept_match.cache_info().hits == 1


def test_each_request_gets_its_own_match(handler):
    url = "/learn/effective-prompts/lessons/anatomy-of-a-prompt/"
    request = RequestFactory().get(url)
    first = handler.resolve_request(request)
    first.kwargs["course_slug"] = "changed by a view"

    second = resolved_by(handler, url)

    assert request.resolver_match is first
    assert second is not first
    assert second.kwargs == resolve(url).kwargs


def test_an_unknown_path_is_not_found_and_not_kept(handler):
    with pytest.raises(Resolver404):
        resolved_by(handler, "/no/such/page/")
    assert kept_match.cache_info().currsize == 0


def test_a_changed_urlconf_is_resolved_anew(handler):
    resolved_by(handler, "/courses/")
    with override_settings(ROOT_URLCONF=__name__):
        match = resolved_by(handler, "/only/a-name/")
        with pytest.raises(Resolver404):
            resolved_by(handler, "/courses/")
    assert match.func is only_view
    assert match.kwargs == {"name": "a-name"}


def test_a_request_s_own_urlconf_is_used(handler):
    request = RequestFactory().get("/only/x/")
    request.urlconf = __name__

    assert handler.resolve_request(request).func is only_view
    assert kept_match.cache_info().currsize == 0


def test_the_kept_matches_are_bounded(handler):
    resolver = get_resolver()
    for number in range(kept_match.cache_info().maxsize + 10):
        kept_match(resolver, f"/learn/course-{number}/lessons/a/")
    assert kept_match.cache_info().currsize == kept_match.cache_info().maxsize


@pytest.mark.django_db
def test_the_application_serves_pages_and_not_found(handler):
    def status_of(url):
        statuses = []
        environ = RequestFactory().get(url, HTTP_X_FORWARDED_PROTO="https").environ
        response = handler(environ, lambda status, headers, exc_info=None: statuses.append(status))
        response.close()
        return statuses[0]

    assert status_of("/").startswith("200")
    assert status_of("/").startswith("200")  # the kept match
    assert status_of("/no/such/page/").startswith("404")


def test_resolution_depends_on_the_path_alone():
    """What keeping matches relies on (academy/handlers.py): no language prefixes in the URLconf
    and only Django's own converters, which read nothing but the path."""
    from django.conf import settings
    from django.conf.urls.i18n import is_language_prefix_patterns_used
    from django.urls.converters import DEFAULT_CONVERTERS, get_converters

    assert is_language_prefix_patterns_used(settings.ROOT_URLCONF) == (False, False)
    assert set(get_converters()) == set(DEFAULT_CONVERTERS)
