"""Extension points of `learning` (see academy/registry.py), filled from `AppConfig.ready()`.

`my_learning_sections`: sections that downstream apps add to the learner's My learning page
(live sessions: the learner's upcoming sessions), below the learner's own training. A section is
a template included with `section_data`, the result of `data(user)` (one query or a few, whatever
the data size). Only the full My learning page shows them, not the home page.

`step_kinds`: the kinds of course step the player can show, keyed by the `kind` of the steps in
a version's outline (learning.content.outline). A kind says where its page is and how the
course contents name it. The built-in "lesson" and "quiz" are registered first, by
`LearningConfig.ready()`; a downstream app (practice tasks, live sessions) registers its own
kind, with a URL of its own, from its `ready()`.

`certificate_sections` and `verification_sections`: sections that downstream apps add to the
learner's certificate page (credentials: download the Open Badges credential, share it) and to
the public verification page `/verify/<code>/` (credentials: check a pasted credential). A
section is a template included with `section_data`, the result of `data(request, certificate)`
(a query or two at most).
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from django.urls import get_script_prefix, reverse

from academy.registry import Registry


@dataclass(frozen=True)
class StepKind:
    """How the player links to and names one kind of step."""

    url_name: str  # reversed with (course slug, step key)
    nav_prefix: str = ""  # shown before the step's title in the course contents ("Quiz:")

    def url(self, slug: str, key: str) -> str:
        return _step_url(get_script_prefix(), self.url_name, slug, key)


@lru_cache(maxsize=8192)
def _step_url(prefix: str, url_name: str, slug: str, key: str) -> str:
    """Reversed once per process: the player links every step of the course on every page, and
    `reverse` costs tens of microseconds each (docs/performance.md, "CPU per request")."""
    return reverse(url_name, args=[slug, key])


step_kinds: Registry[StepKind] = Registry("course step kinds")


def step_url(slug: str, step: dict) -> str:
    """The page of one outline step ({kind, key, ...}) of the course `slug`."""
    return step_kinds[step["kind"]].url(slug, step["key"])


@dataclass(frozen=True)
class LearnerSection:
    """A section of the My learning page offered by a downstream app."""

    template: str
    data: Callable  # data(user) -> given to the template as `section_data`
    # True when data(user) holds plain values only (str, numbers, dates, None, and lists,
    # dicts, tuples, SimpleNamespaces and dataclasses of them), of which the template shows
    # nothing but what depends on them, the language, the time zone and the URL prefix: the page
    # may then cache the section's markup under the data's `repr` (learning.views).
    plain: bool = False


my_learning_sections: Registry[LearnerSection] = Registry("my learning sections")


@dataclass(frozen=True)
class CertificateSection:
    """A section of the certificate page or the public verification page."""

    template: str
    data: Callable  # data(request, certificate) -> given to the template as `section_data`


certificate_sections: Registry[CertificateSection] = Registry("certificate page sections")
verification_sections: Registry[CertificateSection] = Registry("verification page sections")


def sections_for(registry: Registry, request, certificate) -> list[tuple[str, object]]:
    """[(template, section_data)] of every section registered, in registration order."""
    return [(section.template, section.data(request, certificate)) for section in registry.values()]
