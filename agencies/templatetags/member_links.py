"""`{% load member_links %}{% member_page_url user_id as url %}`: the page a person's name
links to on the People list (agencies.registries.member_links; "" when none is registered)."""

from django import template

from ..registries import member_page_url as _member_page_url

register = template.Library()


@register.simple_tag
def member_page_url(user_id) -> str:
    return _member_page_url(user_id)
