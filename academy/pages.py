"""The site's own pages, open to everyone signed in or not: help and contact, the
accessibility statement and the privacy notice (linked from the footer)."""

from django.conf import settings
from django.shortcuts import render


def _page(request, template, **context):
    return render(
        request,
        template,
        {"support_email": settings.ACADEMY_SUPPORT_EMAIL, **context},
    )


def help_page(request):
    return _page(request, "pages/help.html")


def accessibility(request):
    return _page(request, "pages/accessibility.html")


def privacy(request):
    return _page(
        request,
        "pages/privacy.html",
        report_retention_days=settings.REPORT_RETENTION_DAYS,
        session_inactivity_minutes=settings.SESSION_INACTIVITY_SECONDS // 60,
        session_absolute_hours=settings.SESSION_ABSOLUTE_SECONDS // 3600,
    )
