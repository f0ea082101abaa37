"""A person's own account: their profile and memberships, where they are signed in
(and ending those sessions), their API tokens, and a download of their own data."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_logged_in
from django.contrib.sessions.backends.base import SessionBase
from django.core.serializers.json import DjangoJSONEncoder
from django.dispatch import receiver
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.api_tokens import TooManyTokens, api_token_create, api_token_list, api_token_revoke
from accounts.forms import ApiTokenForm
from accounts.middleware import SessionActivityMiddleware
from accounts.models import ApiToken, Membership, RoleAssignment, RoleGrantLog, UserSession

MSG_SESSION_ENDED = gettext_noop("Đã đăng xuất phiên trên “{agent}”.")
MSG_TOKEN_CREATED = gettext_noop(
    "Đã tạo khoá “{name}”. Hãy chép khoá ngay: trang này chỉ hiện nó một lần."
)
MSG_TOKEN_REVOKED = gettext_noop("Đã thu hồi khoá “{name}”; chương trình dùng nó sẽ bị từ chối.")
# The new key waits here between the POST and the page that shows it (post/redirect/get),
# and is removed by that page: a reload or the back button cannot show it again.
SESSION_NEW_TOKEN = "api_token_new"


def session_record(request, user) -> None:
    """One row per signed-in session, so its owner can list and end it."""
    if not request.session.session_key:
        request.session.save()
    # Just seen: the activity middleware need not write again for a while.
    request.session[SessionActivityMiddleware.SESSION_KEY] = time.time()
    UserSession.objects.update_or_create(
        session_key=request.session.session_key,
        defaults={
            "user": user,
            "ip_address": request.META.get("REMOTE_ADDR") or None,
            "user_agent": request.META.get("HTTP_USER_AGENT", "")[:255],
            "last_seen": timezone.now(),
        },
    )


@receiver(user_logged_in, dispatch_uid="accounts.account.session_record")
def _on_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        session_record(request, user)


def _end_session(session_key: str) -> None:
    from importlib import import_module

    from django.conf import settings

    store: SessionBase = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    store.delete(session_key)
    UserSession.objects.filter(session_key=session_key).delete()


def sign_in_methods(user) -> dict:
    """The providers this person signs in with, and the configured ones they could add."""
    from allauth.socialaccount.models import SocialAccount

    from accounts.social import PROVIDER_NAMES, configured_providers

    linked = sorted(SocialAccount.objects.filter(user=user).values_list("provider", flat=True))
    return {
        "linked_providers": [PROVIDER_NAMES.get(p, p) for p in linked],
        "connectable_providers": [p for p in configured_providers() if p["id"] not in linked],
    }


@login_required
def account_home(request):
    user = request.user
    return render(
        request,
        "accounts/account.html",
        {
            "memberships": user.memberships.select_related("unit").order_by("-requested_at"),
            "sessions": UserSession.objects.filter(user=user).order_by("-last_seen"),
            "current_key": request.session.session_key,
            "has_open_membership": user.memberships.filter(
                status__in=(Membership.Status.PENDING, Membership.Status.CONFIRMED)
            ).exists()
            or user.role_assignments.filter(role="member").exists(),
            **sign_in_methods(user),
        },
    )


@login_required
@require_POST
def session_end(request, pk: int):
    session = get_object_or_404(UserSession, pk=pk, user=request.user)
    current = session.session_key == request.session.session_key
    _end_session(session.session_key)
    if current:
        return redirect("login")
    messages.success(
        request, _(MSG_SESSION_ENDED).format(agent=session.user_agent[:60] or session.ip_address)
    )
    return redirect("account")


@login_required
@never_cache
def api_tokens(request):
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, raw = api_token_create(
                user=request.user,
                name=form.cleaned_data["name"],
                days=form.cleaned_data["days"],
            )
        except TooManyTokens as error:
            form.add_error(None, str(error))
        else:
            request.session[SESSION_NEW_TOKEN] = {"id": token.pk, "key": raw}
            messages.success(request, _(MSG_TOKEN_CREATED).format(name=token.name))
            return redirect("account-api-tokens")
    new_token = request.session.pop(SESSION_NEW_TOKEN, None) if request.method == "GET" else None
    tokens = api_token_list(user=request.user)
    if new_token and not any(t.pk == new_token["id"] for t in tokens):
        new_token = None  # revoked in another tab meanwhile
    return render(
        request,
        "accounts/api_tokens.html",
        {"form": form, "tokens": tokens, "new_token": new_token, "now": timezone.now()},
    )


@login_required
@require_POST
def api_token_revoke_view(request, pk: int):
    # Someone else's token answers 404, exactly as one that does not exist.
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    api_token_revoke(token=token)
    messages.success(request, _(MSG_TOKEN_REVOKED).format(name=token.name or token.prefix))
    return redirect("account-api-tokens")


# What the apps above accounts hold about a person (initiatives: the ones they wrote),
# added by each in its AppConfig.ready: accounts imports none of them.
_personal_data_sections: dict[str, Callable[[object], list]] = {}


def personal_data_section_register(name: str, collect: Callable[[object], list]) -> None:
    """Add a section `name` to "my data": `collect(user)` returns its JSON-ready rows."""
    _personal_data_sections[name] = collect


def personal_data(user) -> dict:
    return {
        "profile": {
            "full_name": user.full_name,
            "email": user.email,
            "phone": user.phone,
            "date_of_birth": user.date_of_birth,
            "job_title": user.job_title,
            "date_joined": user.date_joined,
        },
        "memberships": [
            {
                "unit": m.unit.name,
                "unit_code": m.unit.code,
                "status": m.status,
                "joined_on": m.joined_on,
                "left_on": m.left_on,
            }
            for m in Membership.objects.filter(user=user).select_related("unit").order_by("pk")
        ],
        "roles": [
            {
                "role": a.role,
                "unit": a.unit.name,
                "unit_code": a.unit.code,
                "granted_at": a.granted_at,
            }
            for a in RoleAssignment.objects.filter(user=user).select_related("unit")
        ],
        "role_log": [
            {"action": e.action, "role": e.role, "unit_code": e.unit.code, "at": e.at}
            for e in RoleGrantLog.objects.filter(user=user).select_related("unit").order_by("at")
        ],
        **{name: collect(user) for name, collect in _personal_data_sections.items()},
    }


@login_required
def data_export(request):
    body = json.dumps(
        personal_data(request.user), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2
    )
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="du-lieu-cua-toi.json"'
    return response
