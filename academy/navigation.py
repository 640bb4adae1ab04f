"""The header's primary navigation: which sections and links each role sees, and where the
visitor is now.

The role rules live here, not in the template (templates hold no permission logic). The links
point at pages whose views do their own checks; this only decides what is worth showing. Four
groups at most (Learning, Studio, Manage, Reports), so the header fits from a phone's width up
in both languages (USWDS extended header with dropdown menus).
"""

from dataclasses import dataclass

from django.urls import get_script_prefix, reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavLink:
    label: str
    url: str
    # "page": this very page; "true": a page under this link (a course of the catalog, say).
    current: str = ""


@dataclass(frozen=True)
class NavSection:
    """A top-level item: a dropdown menu of `links`, or (menu=False) its one link."""

    key: str
    label: str
    links: tuple[NavLink, ...]
    menu: bool = True

    @property
    def current(self) -> bool:
        return any(link.current for link in self.links)

    @property
    def menu_id(self) -> str:
        return f"nav-menu-{self.key}"


def _sections_for(actor) -> list[tuple[str, str, list[tuple[str, str]], bool]]:
    learning = [
        (_("Home"), "home"),
        (_("My learning"), "learning:my_learning"),
        (_("Catalog"), "courses:catalog"),
        (_("Live sessions"), "live:upcoming"),
    ]
    sections = [("learning", _("Learning"), learning, True)]
    if actor.is_trainer or actor.is_platform_admin:
        sections.append(("studio", _("Studio"), [(_("Studio"), "studio:course_list")], False))
    if actor.is_trainer and actor.agency_id is not None:
        # Practice tasks handed in by the agency's learners (practice app).
        sections.append(("reviews", _("Reviews"), [(_("Reviews"), "practice:queue")], False))
    if actor.manages_people:
        manage = [
            (_("People"), "agencies:member_list"),
            (_("Units"), "agencies:unit_list"),
            (_("Assignments"), "reminders:assignment_list"),
        ]
        if actor.is_agency_admin:
            manage.append((_("Reminder policy"), "reminders:policy"))
            manage.append((_("AI policy"), "policies:manage"))
            manage.append((_("Agency settings"), "agencies:agency_settings"))
            manage.append((_("Sign-in (SSO)"), "sso:provider_list"))
            manage.append((_("Provisioning (SCIM)"), "provisioning:token_list"))
            manage.append((_("API clients"), "api:client_list"))
            manage.append((_("Import past completions"), "learning:history_import"))
            manage.append((_("Credentials (Open Badges)"), "credentials:agency_settings"))
            manage.append((_("Learning record store (xAPI)"), "xapi:settings"))
            manage.append((_("OPM training feed (EHRI)"), "ehri:feed"))
        if actor.is_agency_admin or actor.is_platform_admin:
            manage.append((_("Audit log"), "agencies:audit_log"))
        if actor.is_platform_admin:
            manage.append((_("Course sharing requests"), "studio:visibility_requests"))
            manage.append((_("Live session sharing requests"), "live:sharing_requests"))
            manage.append((_("Platform API clients"), "api:platform_client_list"))
            manage.append((_("Credential signing keys"), "credentials:keys"))
        reports = [
            (_("Dashboard"), "reports:dashboard"),
            (_("Overdue training"), "reports:overdue"),
            (_("Requested reports"), "reports:run_list"),
            (_("Certificates"), "learning:certificate_list"),
            (_("AI policy acknowledgements"), "policies:status"),
        ]
        if actor.is_platform_admin:
            reports.append((_("Adoption"), "reports:platform"))
            reports.append((_("Agencies"), "agencies:agency_list"))
        sections.append(("manage", _("Manage"), manage, True))
        sections.append(("reports", _("Reports"), reports, True))
    return sections


def _current_url(path: str, urls: list[str]) -> str | None:
    """The link the visitor is on or under: the exact page, else the longest link above it
    (the home page "/" only counts when it is the page itself)."""
    if path in urls:
        return path
    above = [url for url in urls if url != "/" and path.startswith(url)]
    return max(above, key=len) if above else None


def _role_key(actor) -> tuple:
    """What `_sections_for` reads from the actor: two actors with the same key see the same
    links."""
    return (
        bool(actor.is_trainer),
        bool(actor.is_platform_admin),
        actor.agency_id is not None,
        bool(actor.manages_people),
        bool(actor.is_agency_admin),
    )


_LINK_URLS: dict[tuple, list[str]] = {}


def _link_urls(actor) -> list[str]:
    """Every header link's URL for this actor's roles, reversed once per process."""
    key = (get_script_prefix(), _role_key(actor))
    urls = _LINK_URLS.get(key)
    if urls is None:
        urls = _LINK_URLS[key] = [
            reverse(name)
            for _key, _label, links, _menu in _sections_for(actor)
            for _t, name in links
        ]
    return urls


def current_navigation_link(actor, path: str) -> tuple[str | None, str]:
    """The header link the visitor is on or under, and its state ("page" or "true"): all the
    header's markup takes from the path (academy/templatetags/page_shell.py)."""
    current = _current_url(path, _link_urls(actor))
    return current, ("page" if current == path else "true")


def primary_navigation(actor, path: str) -> list[NavSection]:
    """The sections of the header for this actor, the current page's link marked. A learner,
    who has only the Learning group, gets its links directly in the bar (no menu)."""
    sections = [
        (key, label, [(text, reverse(name)) for text, name in links], menu)
        for key, label, links, menu in _sections_for(actor)
    ]
    urls = [url for _key, _label, links, _menu in sections for _text, url in links]
    current = _current_url(path, urls)
    state = "page" if current == path else "true"
    built = [
        NavSection(
            key=key,
            label=label,
            links=tuple(NavLink(text, url, state if url == current else "") for text, url in links),
            menu=menu,
        )
        for key, label, links, menu in sections
    ]
    if len(built) == 1:
        # A learner has only the Learning group: its few links sit in the bar, no menu to open.
        return [
            NavSection(key=f"{built[0].key}-{i}", label=link.label, links=(link,), menu=False)
            for i, link in enumerate(built[0].links)
        ]
    return built
