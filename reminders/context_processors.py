from .services import unread_count


def notifications(request):
    """The header bell's unread count, computed only when a template shows it (and cached)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": lambda: unread_count(user)}
