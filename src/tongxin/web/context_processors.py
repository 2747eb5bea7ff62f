from __future__ import annotations

from django.conf import settings
from django.utils.functional import SimpleLazyObject

from .navigation import navigation_for
from .selectors import unread_count


def shell(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"production": settings.PRODUCTION}
    return {
        "navigation": SimpleLazyObject(lambda: navigation_for(user, request.path)),
        "unread_notifications": SimpleLazyObject(lambda: unread_count(user)),
        "production": settings.PRODUCTION,
    }
