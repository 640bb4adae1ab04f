"""Extension points of `agencies` (see academy/registry.py), filled from `AppConfig.ready()`.

`member_links`: pages about one person that apps downstream of agencies offer on the People
list. agencies imports none of them: the People list asks this registry, and the first link
registered is where each person's name leads (reports registers its person page, the
manager's view of someone's training). A link is reversed with the person's user id and is
only shown to those the People list already shows the person to; the page itself checks
access again.

`settings_sections`: parts of an agency's settings that a downstream app owns (practice: the
review target), shown on the Agency settings page under their own heading, each its own form.
The setting stays in the owning app's table and is saved by that app's service; agencies only
renders the form and hands the cleaned data back.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse

from academy.registry import Registry


@dataclass(frozen=True)
class MemberLink:
    """A page about one person, offered on the People list."""

    url_name: str  # reversed with the person's user id
    label: str

    def url(self, user_id) -> str:
        return reverse(self.url_name, args=[user_id])


member_links: Registry[MemberLink] = Registry("member links")


@dataclass(frozen=True)
class SettingsSection:
    """A section of the Agency settings page. `form(agency, data, prefix)` builds the section's
    form (bound to `data` when it is the one posted, else showing the agency's current values);
    `save(actor=, agency=, data=, ip=)` saves its cleaned data through the owning app's service
    and raises ValidationError to refuse (the errors go on the form)."""

    title: str
    form: Callable
    save: Callable
    saved_message: str


settings_sections: Registry[SettingsSection] = Registry("agency settings sections")


def member_page_url(user_id) -> str:
    """Where a person's name on the People list leads: the first registered member link,
    or "" when no app registered one."""
    links = member_links.values()
    return links[0].url(user_id) if links else ""
