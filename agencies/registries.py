"""Extension points of `agencies` (see academy/registry.py), filled from `AppConfig.ready()`.

`member_links`: pages about one person that apps downstream of agencies offer on the People
list. agencies imports none of them: the People list asks this registry, and the first link
registered is where each person's name leads (reports registers its person page, the
manager's view of someone's training). A link is reversed with the person's user id and is
only shown to those the People list already shows the person to; the page itself checks
access again.
"""

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


def member_page_url(user_id) -> str:
    """Where a person's name on the People list leads: the first registered member link,
    or "" when no app registered one."""
    links = member_links.values()
    return links[0].url(user_id) if links else ""
