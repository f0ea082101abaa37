"""Pages for officers to import initiatives in bulk and to export a unit's initiatives.

Every import, whatever its size, is a `Job` run by a Celery worker on the `imports`
queue (core/jobs.py): the page only takes a quick look at the file, keeps it and
sends the officer to the job's page, where a progress bar polled by htmx moves until
the per-row report arrives. A row goes through the form's services (about 45 queries),
so even a few hundred rows would outlast a request.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from django.views.decorators.http import require_GET

from accounts.tenancy import OFFICER_ROLES, scope_for
from core.job_views import job_context, own_import_job
from core.jobs import job_start
from core.models import Job
from core.parsing import StrictFormMixin
from core.tabular import TableFileField
from federation.models import UnitKind
from initiatives import exporting
from initiatives.importing import (
    REQUIRED_COLUMNS,
    TEMPLATE_COLUMNS,
    template_workbook,
)
from initiatives.models import Field
from initiatives.tasks import IMPORT_JOB_KIND

MAX_UPLOAD_BYTES = 200 * 1024 * 1024
MAX_EXPORT_CHOICES = 500
MSG_FILE_TOO_BIG = gettext_noop(
    "Tệp quá lớn (tối đa 200 MB); hãy chia nhỏ hoặc dùng lệnh import_initiatives."
)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportForm(StrictFormMixin, forms.Form):
    ALL_OR_NOTHING, VALID_ROWS = "all", "valid"

    file = TableFileField(
        label=gettext_lazy("Tệp sáng kiến (.xlsx, .csv hoặc .jsonl)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,.jsonl"}),
    )
    mode = forms.ChoiceField(
        label=gettext_lazy("Khi có dòng lỗi"),
        choices=[
            (ALL_OR_NOTHING, gettext_lazy("Không nhập gì, chỉ báo lỗi (tất cả hoặc không)")),
            (VALID_ROWS, gettext_lazy("Nhập các dòng hợp lệ, báo các dòng lỗi")),
        ],
        initial=ALL_OR_NOTHING,
        widget=forms.RadioSelect,
    )

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        if uploaded.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_(MSG_FILE_TOO_BIG))
        return uploaded


class ExportForm(StrictFormMixin, forms.Form):
    unit = forms.ChoiceField(label=gettext_lazy("Đơn vị"))

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(u.code, f"{u.name} ({u.code})") for u in units]


def _import_scope(request):
    scope = scope_for(request.user, OFFICER_ROLES)
    if scope.is_empty:
        raise Http404
    return scope


@login_required
def import_page(request):
    scope = _import_scope(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        uploaded = form.cleaned_data["file"]
        job = job_start(
            kind=IMPORT_JOB_KIND,
            owner=request.user,
            uploaded=uploaded,
            options={"all_or_nothing": form.cleaned_data["mode"] == ImportForm.ALL_OR_NOTHING},
        )
        return redirect("initiative-import-job", pk=job.pk)
    # Units above the grassroots (and the officer's own units): a province holds thousands
    # of grassroots unions, too many for a list; their code can still be typed in the URL.
    units = (
        scope.units()
        .filter(active_to__isnull=True)
        .filter(~Q(kind=UnitKind.GRASSROOTS) | Q(pk__in=scope.root_unit_ids))
        .order_by("tree_id", "lft")[:MAX_EXPORT_CHOICES]
    )
    return render(
        request,
        "initiatives/import/upload.html",
        {
            "form": form,
            "export_form": ExportForm(units=units),
            "columns": TEMPLATE_COLUMNS,
            "required_columns": REQUIRED_COLUMNS,
            "recent_jobs": Job.objects.filter(owner=request.user, kind=IMPORT_JOB_KIND)[:5],
        },
    )


@login_required
@require_GET
def import_job(request, pk: int):
    _import_scope(request)
    job = own_import_job(request, pk, kinds=[IMPORT_JOB_KIND])
    return render(request, "core/jobs/job.html", job_context(job))


@login_required
@require_GET
def import_job_progress(request, pk: int):
    """The progress fragment htmx polls; once the job is over it carries the report."""
    _import_scope(request)
    job = own_import_job(request, pk, kinds=[IMPORT_JOB_KIND])
    return render(request, "core/jobs/_progress.html", job_context(job))


@login_required
@require_GET
def import_template(request):
    scope = _import_scope(request)
    example_unit = (
        scope.units()
        .filter(kind=UnitKind.GRASSROOTS, active_to__isnull=True)
        .order_by("tree_id", "lft")
        .first()
    )
    example_field = Field.objects.filter(is_active=True).order_by("name").first()
    content = template_workbook(
        unit_code=example_unit.code if example_unit else "",
        field_name=example_field.name if example_field else "",
    )
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="mau-nhap-sang-kien.xlsx"'
    return response


@login_required
@require_GET
def export_unit(request):
    """XLSX of the initiatives of one unit's subtree, as far as the viewer may see them."""
    scope = scope_for(request.user)
    if scope.is_empty:
        raise Http404
    unit = scope.get_unit_or_404(code=request.GET.get("unit", "").strip())
    handle = exporting.export_unit_xlsx(viewer=request.user, unit=unit)
    name = f"sang-kien-{unit.code}-{timezone.localdate():%Y%m%d}.xlsx"
    return FileResponse(handle, as_attachment=True, filename=name, content_type=XLSX)
