from __future__ import annotations

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse


class ForcePasswordChangeMiddleware:
    """In production, a user flagged ``must_change_password`` may do nothing but change it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            settings.PRODUCTION
            and user is not None
            and user.is_authenticated
            and user.must_change_password
        ):
            exempt = (
                reverse("web:password-change"),
                reverse("web:logout"),
                "/" + settings.STATIC_URL.lstrip("/"),
            )
            if not request.path.startswith(exempt):
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": "请先修改初始密码。"}, status=403)
                return redirect("web:password-change")
        return self.get_response(request)
