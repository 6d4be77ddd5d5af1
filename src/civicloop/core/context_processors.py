"""Template context every page needs: the viewer's roles and unread notifications."""

from django.conf import settings

from .permissions import assignments


def civicloop(request):
    user = getattr(request, "user", None)
    roles = assignments(user) if user is not None else []
    unread = 0
    if user is not None and user.is_authenticated:
        from civicloop.notifications.models import unread_count

        unread = unread_count(user)
    return {
        "viewer_assignments": roles,
        "viewer_roles": {a.role for a in roles},
        "unread_notifications": unread,
        "map_tile_url": settings.CIVICLOOP_MAP_TILE_URL,
        "map_tile_subdomains": settings.CIVICLOOP_MAP_TILE_SUBDOMAINS,
    }
