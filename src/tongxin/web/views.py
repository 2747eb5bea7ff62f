"""Shell pages: sign-in, home, notification centre, own password, error pages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from tongxin.org import scope
from tongxin.org.selectors import subtree_counts

from . import selectors, services
from .forms import LoginForm, OwnPasswordChangeForm


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


@login_required
def home(request):
    user = request.user
    cards = [{"unit": unit, **subtree_counts(user, unit)} for unit in scope.top_units(user)]
    recent = None
    if user.has_perm("audit.view_auditentry"):
        from tongxin.audit.selectors import entries_for

        recent = entries_for(user)[:8]
    return render(
        request,
        "web/home.html",
        {
            "cards": cards,
            "notifications": selectors.notifications_for(user)[:5],
            "recent_audit": recent,
            "roles": [g.name for g in user.groups.all()],
        },
    )


@login_required
def notifications(request):
    unread_only = request.GET.get("unread") == "1"
    page = Paginator(
        selectors.notifications_for(request.user, unread_only=unread_only), 20
    ).get_page(request.GET.get("page"))
    return render(request, "web/notifications.html", {"page_obj": page, "unread_only": unread_only})


@login_required
@require_POST
def notifications_mark_read(request):
    raw = request.POST.get("ids", "")
    ids = [int(x) for x in raw.split(",") if x.strip().isdigit()] if raw else None
    count = services.mark_read(user=request.user, notification_ids=ids)
    messages.success(request, f"已将 {count} 条通知标为已读。")
    return redirect("web:notifications")


@login_required
def password_change(request):
    form = OwnPasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_own_password(
                user=request.user, new_password=form.cleaned_data["new_password1"]
            )
        except ValidationError as exc:
            form.add_error("new_password1", exc)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, "密码已修改。")
            return redirect("web:home")
    return render(request, "web/password_change.html", {"form": form})


def health(request):
    """For load balancers and monitoring: the process answers and the database is reachable."""
    from django.db import connection
    from django.http import JsonResponse

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def locked_out(request, credentials=None, *args, **kwargs):
    """django-axes calls this when a username is locked."""
    return render(request, "web/locked_out.html", status=429)
