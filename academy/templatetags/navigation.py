from django import template

from academy.navigation import primary_navigation as build_navigation

register = template.Library()


@register.simple_tag(takes_context=True)
def primary_navigation(context):
    """{% primary_navigation as sections %}: the header's sections for the acting user."""
    request = context["request"]
    return build_navigation(context["actor"], request.path)
