from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.tasks import UNIT_IMPORT_JOB_KIND
from accounts.tenancy import UNIT_ADMIN_ROLES, scope_for
from core.jobs import job_start
from core.models import Job
from federation import selectors, services
from federation.forms import ReorganiseForm, UnitImportForm
from federation.models import OrgUnit, ReorgEvent, UnitKind


@login_required
def unit_list(request):
    scope = scope_for(request.user)
    units = selectors.unit_list(
        scope=scope, kind=request.GET.get("kind") or None, search=request.GET.get("q", "").strip()
    ).select_related("parent")
    page = Paginator(units, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "federation/unit_list.html",
        {
            "page": page,
            "kinds": UnitKind.choices,
            "can_import": not scope_for(request.user, UNIT_ADMIN_ROLES).is_empty,
        },
    )


@login_required
def unit_detail(request, code: str):
    scope = scope_for(request.user)
    unit = scope.get_unit_or_404(code=code)
    return render(
        request,
        "federation/unit_detail.html",
        {
            "unit": unit,
            "ancestors": unit.get_ancestors(),
            "children": unit.get_children().order_by("code")[:200],
            "events": ReorgEvent.objects.filter(unit=unit).select_related(
                "target", "previous_parent"
            )[:50],
            "can_reorganise": scope_for(request.user, UNIT_ADMIN_ROLES).contains(unit),
        },
    )


@login_required
def unit_reorganise(request, code: str):
    scope = scope_for(request.user, UNIT_ADMIN_ROLES)
    unit = scope.get_unit_or_404(code=code)
    form = ReorganiseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        action = data["action"]
        try:
            target = None
            if action in (ReorgEvent.Kind.MERGE, ReorgEvent.Kind.MOVE):
                target = OrgUnit.objects.filter(code=data["target_code"].strip()).first()
                if target is None or not scope.contains(target):
                    raise ValidationError(
                        _("Không tìm thấy đơn vị đích trong phạm vi bạn quản lý.")
                    )
            if action == ReorgEvent.Kind.MERGE:
                services.unit_merge(
                    sources=[unit],
                    target=target,
                    effective_date=data["effective_date"],
                    actor=request.user,
                    note=data["note"],
                )
            elif action == ReorgEvent.Kind.MOVE:
                services.unit_move(
                    unit=unit,
                    new_parent=target,
                    effective_date=data["effective_date"],
                    actor=request.user,
                    note=data["note"],
                )
            elif action == ReorgEvent.Kind.RENAME:
                services.unit_rename(
                    unit=unit,
                    name=data["new_name"],
                    effective_date=data["effective_date"],
                    actor=request.user,
                )
            else:
                services.unit_close(
                    unit=unit,
                    effective_date=data["effective_date"],
                    actor=request.user,
                    note=data["note"],
                )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã ghi nhận thay đổi tổ chức."))
            return redirect("unit-detail", code=unit.code)
    return render(request, "federation/unit_reorganise.html", {"unit": unit, "form": form})


@login_required
def unit_import(request):
    """Keep the table of units and send the officer to its job's page (core/jobs.py)."""
    scope = scope_for(request.user, UNIT_ADMIN_ROLES)
    if scope.is_empty:
        raise Http404
    form = UnitImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = job_start(
            kind=UNIT_IMPORT_JOB_KIND,
            owner=request.user,
            uploaded=form.cleaned_data["file"],
            options={"all_or_nothing": form.cleaned_data["all_or_nothing"]},
        )
        return redirect("import-job", pk=job.pk)
    recent_jobs = Job.objects.filter(owner=request.user, kind=UNIT_IMPORT_JOB_KIND)[:5]
    return render(
        request, "federation/unit_import.html", {"form": form, "recent_jobs": recent_jobs}
    )
