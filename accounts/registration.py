"""Becoming a member without an officer typing you in: self-registration (from the
QR poster or the login page), the accent-free union search, invitation links, and
completing the profile after a first Zalo, Google or Facebook sign-in."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET

from accounts import membership as people
from accounts.forms import RegistrationForm, SocialCompletionForm
from accounts.models import Membership, Role, User
from core.ratelimit import client_ip, hit

MSG_REGISTERED_PENDING = gettext_noop(
    "Đã tạo tài khoản. Cán bộ công đoàn cơ sở “{unit}” sẽ xác nhận bạn là đoàn viên; "
    "trong lúc chờ, bạn có thể viết bản nháp sáng kiến."
)
MSG_REGISTERED_CONFIRMED = gettext_noop("Đã tạo tài khoản. Bạn là đoàn viên của “{unit}”.")
MSG_INVITATION_ACCEPTED = gettext_noop("Bạn đã là đoàn viên của “{unit}”.")
MSG_TOO_MANY_REGISTRATIONS = gettext_noop(
    "Có quá nhiều lần đăng ký từ địa chỉ mạng này. Hãy thử lại sau ít phút."
)
MSG_PROFILE_COMPLETED = gettext_noop("Đã lưu thông tin. Chào mừng bạn!")
MSG_JOIN_REQUESTED = gettext_noop(
    "Đã gửi yêu cầu vào “{unit}”. Cán bộ công đoàn cơ sở sẽ xác nhận bạn là đoàn viên."
)

SESSION_UNIT = "registration_unit_code"
SESSION_NEXT = "registration_next"
UNIT_PARAM = "don-vi"
INVITATION_PARAM = "loi-moi"
SOCIAL_BACKEND = "allauth.account.auth_backends.AuthenticationBackend"
PASSWORD_BACKEND = "accounts.auth_backends.EmailOrPhoneBackend"


def _safe_next(request, value: str) -> str:
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return ""


def unit_code_from_next(next_url: str) -> str:
    """The unit a `next` link points the form at (`/sang-kien/moi/?don_vi=CODE`)."""
    query = parse_qs(urlsplit(next_url or "").query)
    return (query.get("don_vi") or query.get(UNIT_PARAM) or [""])[0]


def registration_url(*, unit_code: str = "", next_url: str = "") -> str:
    params = {}
    if unit_code:
        params[UNIT_PARAM] = unit_code
    if next_url:
        params["next"] = next_url
    url = reverse("register")
    return f"{url}?{urlencode(params)}" if params else url


def _entry_url(unit) -> str:
    return f"{reverse('initiatives:create')}?don_vi={unit.code}"


def register(request):
    """/tai-khoan/dang-ky/: the QR poster's link. Signed-in people go straight to the form."""
    code = request.GET.get(UNIT_PARAM, "").strip()
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next", ""))
    code = code or unit_code_from_next(next_url)
    token = request.POST.get(INVITATION_PARAM) or request.GET.get(INVITATION_PARAM, "")
    invitation = None
    if token:
        try:
            invitation = people.invitation_read(token)
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
            token = ""
    if request.user.is_authenticated:
        if invitation is not None:
            return redirect("invitation-accept", token=token)
        unit = people.grassroots_by_code(code) if code else None
        return redirect(next_url or (_entry_url(unit) if unit else "initiatives:create"))

    fixed_unit = invitation.unit if invitation else None
    preset = fixed_unit or (people.grassroots_by_code(code) if code else None)
    if request.method == "POST":
        form = RegistrationForm(request.POST, fixed_unit=fixed_unit)
        allowed = hit(
            bucket="register",
            key=client_ip(request),
            limit=settings.REGISTRATION_RATE_LIMIT,
            window_seconds=3600,
        )
        if not allowed:
            form.add_error(None, _(MSG_TOO_MANY_REGISTRATIONS))
        elif form.is_valid():
            user, membership = _create_account(form, invitation)
            login(request, user, backend=PASSWORD_BACKEND)
            message = (
                MSG_REGISTERED_CONFIRMED
                if membership.status == Membership.Status.CONFIRMED
                else MSG_REGISTERED_PENDING
            )
            messages.success(request, _(message).format(unit=membership.unit.name))
            return redirect(next_url or _entry_url(membership.unit))
        else:
            chosen = form.data.get("unit", "")
            preset = fixed_unit or (people.grassroots_by_code(chosen) if chosen else preset)
    else:
        form = RegistrationForm(
            initial={"unit": preset.code if preset else ""}, fixed_unit=fixed_unit
        )
        if preset is not None and not fixed_unit:
            # Someone who picks Zalo, Google or Facebook here finds the union filled in again.
            request.session[SESSION_UNIT] = preset.code
            if next_url:
                request.session[SESSION_NEXT] = next_url
    return render(
        request,
        "accounts/register.html",
        {
            "form": form,
            "chosen_unit": preset,
            "fixed_unit": fixed_unit,
            "invitation_token": token,
            "next": next_url,
            "login_url": f"{reverse('login')}?{urlencode({'next': next_url or (_entry_url(preset) if preset else '')})}",
            "social_providers": social_providers(request),
        },
    )


@transaction.atomic
def _create_account(form: RegistrationForm, invitation) -> tuple[User, Membership]:
    data = form.cleaned_data
    user = User.objects.create_user(
        email=form.email,
        phone=form.phone,
        password=data["password1"],
        full_name=data["full_name"],
        date_of_birth=data["date_of_birth"],
    )
    membership = people.membership_request(
        user=user,
        unit=data["unit"],
        source=Membership.Source.INVITATION if invitation else Membership.Source.REGISTRATION,
        confirmed_by=invitation.officer if invitation else None,
    )
    return user, membership


@require_GET
def unit_search(request):
    """htmx: grassroots unions matching what was typed, accents ignored."""
    query = request.GET.get("tim-don-vi", "") or request.GET.get("q", "")
    units = list(people.grassroots_search(query=query)) if len(query.strip()) >= 2 else []
    return render(
        request,
        "accounts/_unit_results.html",
        {"units": units, "query": query, "searched": len(query.strip()) >= 2},
    )


@require_GET
def unit_pick(request):
    """htmx: the chosen union replaces the search box (a hidden input carries its code)."""
    unit = people.grassroots_by_code(request.GET.get("code", ""))
    return render(request, "accounts/_unit_picker.html", {"chosen_unit": unit})


def invitation_accept(request, token: str):
    """An officer's link: a signed-in person joins at once; others register first."""
    try:
        invitation = people.invitation_read(token)
    except ValidationError as exc:
        return render(request, "accounts/invitation_invalid.html", {"message": exc.messages[0]})
    if not request.user.is_authenticated:
        return redirect(f"{reverse('register')}?{urlencode({INVITATION_PARAM: token})}")
    if request.method == "POST":
        try:
            membership = people.membership_request(
                user=request.user,
                unit=invitation.unit,
                source=Membership.Source.INVITATION,
                confirmed_by=invitation.officer,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("home")
        messages.success(request, _(MSG_INVITATION_ACCEPTED).format(unit=membership.unit.name))
        return redirect(_entry_url(membership.unit))
    return render(request, "accounts/invitation.html", {"invitation": invitation})


# --- after a first social sign-in -----------------------------------------------------------


def social_providers(request) -> list[dict]:
    """Providers with credentials configured, for the login and registration pages."""
    from accounts.social import configured_providers

    return configured_providers(request)


@login_required
def complete_profile(request):
    """What a first Zalo, Google or Facebook sign-in did not tell: asked before anything else."""
    user = request.user
    if not needs_profile(user):
        return redirect("home")
    code = request.session.get(SESSION_UNIT, "")
    preset = people.grassroots_by_code(code) if code else None
    if request.method == "POST":
        form = SocialCompletionForm(request.POST, user=user)
        if form.is_valid():
            _complete(user, form.cleaned_data)
            messages.success(request, _(MSG_PROFILE_COMPLETED))
            unit = form.cleaned_data["unit"]
            request.session.pop(SESSION_UNIT, None)
            return redirect(request.session.pop(SESSION_NEXT, "") or _entry_url(unit))
        chosen = form.data.get("unit", "")
        preset = people.grassroots_by_code(chosen) if chosen else preset
    else:
        form = SocialCompletionForm(
            initial={"full_name": user.full_name, "unit": preset.code if preset else ""},
            user=user,
        )
    return render(request, "accounts/complete_profile.html", {"form": form, "chosen_unit": preset})


@transaction.atomic
def _complete(user, data) -> None:
    user.full_name = data["full_name"]
    user.date_of_birth = data["date_of_birth"]
    fields = ["full_name", "date_of_birth", "must_complete_profile"]
    if data.get("phone"):
        user.phone = data["phone"]
        fields.append("phone")
    user.must_complete_profile = False
    user.save(update_fields=fields)
    people.membership_request(user=user, unit=data["unit"])


def needs_profile(user) -> bool:
    return bool(getattr(user, "must_complete_profile", False))


@login_required
def membership_join(request):
    """An account without a union (refused, moved out, or older than self-registration)
    asks to join one; the union's officers confirm it like a registration."""
    from accounts.forms import MembershipJoinForm

    if (
        people.open_membership(request.user) is not None
        or request.user.role_assignments.filter(role=Role.MEMBER).exists()
    ):
        return redirect("account")  # already belongs to a union: moving is an officer's job
    preset = None
    if request.method == "POST":
        form = MembershipJoinForm(request.POST)
        if form.is_valid():
            try:
                membership = people.membership_request(
                    user=request.user, unit=form.cleaned_data["unit"]
                )
            except ValidationError as exc:
                form.add_error(None, " ".join(exc.messages))
            else:
                messages.success(request, _(MSG_JOIN_REQUESTED).format(unit=membership.unit.name))
                return redirect(_entry_url(membership.unit))
        chosen = form.data.get("unit", "")
        preset = people.grassroots_by_code(chosen) if chosen else None
    else:
        form = MembershipJoinForm()
    return render(request, "accounts/join.html", {"form": form, "chosen_unit": preset})
