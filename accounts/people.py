"""Officers manage people in the portal: pending members, the member list, roles,
moves between workplaces, invitation links and member-list imports. Everything is
scoped through the tenancy gate: a unit or person outside the officer's subtree
answers 404; a person with no officer role gets 404 on every page here."""

from __future__ import annotations

import base64
import io

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from accounts import membership as people
from accounts.forms import InvitationForm, MemberImportForm, MemberMoveForm, RoleGrantForm
from accounts.models import Membership, RoleAssignment, RoleGrantLog
from accounts.tasks import MEMBER_IMPORT_JOB_KIND
from core.jobs import job_start
from federation.models import UnitKind

MSG_CONFIRMED = gettext_noop("Đã xác nhận {n} đoàn viên.")
MSG_REFUSED = gettext_noop("Đã từ chối {n} yêu cầu.")
MSG_NOTHING_CHOSEN = gettext_noop("Hãy chọn ít nhất một người.")
MSG_ROLE_GRANTED = gettext_noop("Đã giao vai trò “{role}” tại “{unit}”.")
MSG_ROLE_WITHDRAWN = gettext_noop("Đã thu hồi vai trò “{role}” tại “{unit}”.")
MSG_MOVED = gettext_noop("Đã chuyển sang “{unit}” từ ngày {date}.")

PAGE_SIZE = 50


def _require_manager(request):
    if not people.can_manage_people(request.user):
        raise Http404


def _grassroots_in_scope(viewer):
    return (
        people.managed_scope(viewer)
        .units()
        .filter(kind=UnitKind.GRASSROOTS, active_to__isnull=True)
        .order_by("name")
    )


@login_required
def member_list(request):
    _require_manager(request)
    query = request.GET.get("q", "").strip()
    unit = None
    if request.GET.get("don_vi"):
        unit = people.managed_unit_or_404(viewer=request.user, code=request.GET["don_vi"])
    persons = people.member_list(viewer=request.user, query=query, unit=unit)
    page = Paginator(persons, PAGE_SIZE).get_page(request.GET.get("page"))
    memberships = {
        m.user_id: m
        for m in Membership.objects.filter(
            user__in=[p.pk for p in page], status__in=people.OPEN_STATUSES
        ).select_related("unit")
    }
    rows = [(person, memberships.get(person.pk)) for person in page]
    return render(
        request,
        "accounts/people/list.html",
        {
            "page": page,
            "rows": rows,
            "query": query,
            "unit": unit,
            "pending_count": people.pending_memberships(viewer=request.user).count(),
        },
    )


@login_required
def pending_list(request):
    _require_manager(request)
    pending = people.pending_memberships(viewer=request.user)
    page = Paginator(pending, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "accounts/people/pending.html", {"page": page})


@login_required
@require_POST
def pending_decide(request):
    _require_manager(request)
    only = request.POST.get("only", "")
    if only.isascii() and only.isdigit():  # the row's own "confirm" button
        ids, confirm = [int(only)], True
    else:
        ids = [int(v) for v in request.POST.getlist("membership") if v.isascii() and v.isdigit()]
        confirm = request.POST.get("decision") == "confirm"
    if not ids:
        messages.warning(request, _(MSG_NOTHING_CHOSEN))
        return redirect("people-pending")
    done = people.memberships_decide(viewer=request.user, ids=ids, confirm=confirm)
    if not done:
        raise Http404  # none of them pending in the officer's subtree
    messages.success(request, _(MSG_CONFIRMED if confirm else MSG_REFUSED).format(n=done))
    return redirect("people-pending")


def _person_context(request, person, *, grant_form=None, move_form=None) -> dict:
    viewer = request.user
    units = people.managed_scope(viewer).units().order_by("tree_id", "lft")
    scope = people.managed_scope(viewer)
    assignments = list(RoleAssignment.objects.filter(user=person).select_related("unit"))
    return {
        "person": person,
        "show_private": people.sees_private_details(viewer, person),
        "memberships": person.memberships.select_related("unit", "decided_by").order_by(
            "-requested_at"
        ),
        "assignments": [(a, scope.contains(a.unit)) for a in assignments],
        "grant_form": grant_form
        or RoleGrantForm(roles=people.grantable_roles(viewer), units=units),
        "move_form": move_form or MemberMoveForm(units=_grassroots_in_scope(viewer)),
        "log": RoleGrantLog.objects.filter(user=person)
        .select_related("unit", "actor", "previous_unit")
        .order_by("-at")[:50],
    }


@login_required
def person_detail(request, pk: int):
    _require_manager(request)
    person = people.person_in_scope_or_404(viewer=request.user, pk=pk)
    return render(request, "accounts/people/detail.html", _person_context(request, person))


@login_required
@require_POST
def role_grant(request, pk: int):
    _require_manager(request)
    person = people.person_in_scope_or_404(viewer=request.user, pk=pk)
    # A unit outside the officer's subtree answers 404, before any form error.
    code = request.POST.get("unit", "")
    unit = people.managed_unit_or_404(viewer=request.user, code=code)
    form = RoleGrantForm(
        request.POST,
        roles=people.grantable_roles(request.user),
        units=people.managed_scope(request.user).units(),
    )
    if form.is_valid():
        try:
            assignment = people.role_grant(
                actor=request.user,
                user=person,
                unit=unit,
                role=form.cleaned_data["role"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(
                request,
                _(MSG_ROLE_GRANTED).format(role=assignment.get_role_display(), unit=unit.name),
            )
            return redirect("people-detail", pk=person.pk)
    return render(
        request,
        "accounts/people/detail.html",
        _person_context(request, person, grant_form=form),
        status=400,
    )


@login_required
@require_POST
def role_withdraw(request, pk: int, assignment_id: int):
    _require_manager(request)
    person = people.person_in_scope_or_404(viewer=request.user, pk=pk)
    assignment = get_object_or_404(
        RoleAssignment.objects.select_related("unit"), pk=assignment_id, user=person
    )
    if not people.managed_scope(request.user).contains(assignment.unit):
        raise Http404
    try:
        people.role_withdraw(actor=request.user, assignment=assignment)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _(MSG_ROLE_WITHDRAWN).format(
                role=assignment.get_role_display(), unit=assignment.unit.name
            ),
        )
    return redirect("people-detail", pk=person.pk)


@login_required
@require_POST
def member_move(request, pk: int):
    _require_manager(request)
    person = people.person_in_scope_or_404(viewer=request.user, pk=pk)
    people.managed_unit_or_404(viewer=request.user, code=request.POST.get("unit", ""))
    form = MemberMoveForm(request.POST, units=_grassroots_in_scope(request.user))
    if form.is_valid():
        try:
            membership = people.membership_move(
                user=person,
                new_unit=form.cleaned_data["unit"],
                moved_on=form.cleaned_data["moved_on"],
                officer=request.user,
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(
                request,
                _(MSG_MOVED).format(
                    unit=membership.unit.name, date=membership.joined_on.strftime("%d/%m/%Y")
                ),
            )
            return redirect("people-detail", pk=person.pk)
    return render(
        request,
        "accounts/people/detail.html",
        _person_context(request, person, move_form=form),
        status=400,
    )


def _qr_svg(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


@login_required
def invitation_create(request):
    _require_manager(request)
    units = _grassroots_in_scope(request.user)
    link = None
    form = InvitationForm(request.GET or None, units=units)
    if request.GET.get("unit"):
        people.managed_unit_or_404(viewer=request.user, code=request.GET["unit"])
        if form.is_valid():
            token = people.invitation_token(unit=form.cleaned_data["unit"], officer=request.user)
            link = request.build_absolute_uri(reverse("invitation-accept", args=[token]))
    return render(
        request,
        "accounts/people/invite.html",
        {
            "form": form,
            "link": link,
            "qr_src": _qr_svg(link) if link else None,
            "max_age_days": people.INVITATION_MAX_AGE.days,
        },
    )


@login_required
def member_import(request):
    """Keep the member list and send the officer to its job's page (core/jobs.py)."""
    _require_manager(request)
    units = _grassroots_in_scope(request.user)
    if request.method == "POST":
        form = MemberImportForm(request.POST, request.FILES, units=units)
        if form.is_valid():
            job = job_start(
                kind=MEMBER_IMPORT_JOB_KIND,
                owner=request.user,
                uploaded=form.cleaned_data["file"],
                options={"default_unit_id": form.cleaned_data["unit"].pk},
            )
            return redirect("import-job", pk=job.pk)
    else:
        form = MemberImportForm(units=units)
    return render(
        request,
        "accounts/people/import.html",
        {"form": form, "columns": people.MEMBER_IMPORT_COLUMNS},
    )
