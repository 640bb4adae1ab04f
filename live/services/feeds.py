"""Each person's private calendar feed URL."""

import secrets

from django.db import transaction

from ..models import CalendarFeed


def calendar_feed_reset(*, user) -> CalendarFeed:
    """Give the user a new feed token (creating the feed the first time); the old URL stops
    working at once."""
    with transaction.atomic():
        feed, created = CalendarFeed.objects.select_for_update().get_or_create(
            user=user, defaults={"token": secrets.token_urlsafe(32)}
        )
        if not created:
            feed.token = secrets.token_urlsafe(32)
            feed.save(update_fields=["token"])
    return feed


def calendar_feed_revoke(*, user) -> None:
    """Turn the feed off: its URL answers 404 until a new one is made."""
    CalendarFeed.objects.filter(user=user).delete()
