"""The WSGI handler: Django's, with each path's URL resolution kept per process.

Django resolves a path by trying the URL patterns one by one, about 40 us of CPU for a lesson's
path (60 patterns tried), on every request. Resolution here is a function of the path alone (no
i18n_patterns, no converter that reads the database, one URLconf per process), so the match is
kept per resolver and path in a bounded LRU, and each request gets its own copy of it (views and
middleware may change a match's kwargs). A path that resolves to nothing raises Resolver404 and
is not kept. A request with a URLconf of its own (`request.urlconf`) is resolved as Django does.
"""

from functools import lru_cache

from django.core.handlers.wsgi import WSGIHandler as DjangoWSGIHandler
from django.urls import ResolverMatch, URLResolver, get_resolver

# Paths differ per course and lesson; 4,096 matches take about 4 MB and cover a large catalog.
KEPT_PATHS = 4096


class WSGIHandler(DjangoWSGIHandler):
    def resolve_request(self, request):
        if hasattr(request, "urlconf"):
            return super().resolve_request(request)
        match = own_copy(kept_match(get_resolver(), request.path_info))
        request.resolver_match = match
        return match


@lru_cache(maxsize=KEPT_PATHS)
def kept_match(resolver: URLResolver, path: str) -> ResolverMatch:
    return resolver.resolve(path)


def own_copy(match: ResolverMatch) -> ResolverMatch:
    mine = ResolverMatch.__new__(ResolverMatch)  # copy.copy refuses: it pickles
    mine.__dict__.update(match.__dict__)
    for name in ("kwargs", "captured_kwargs", "extra_kwargs"):
        kept = getattr(match, name)
        if kept is not None:
            setattr(mine, name, dict(kept))
    return mine
