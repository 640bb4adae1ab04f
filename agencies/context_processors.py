from .access import ANONYMOUS, actor_for


def acting_membership(request):
    """The acting user's Actor (role, agency name), for the header and the role navigation."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"actor": ANONYMOUS}
    return {"actor": actor_for(user)}
