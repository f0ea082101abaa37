"""The page of a background import and the progress fragment it polls (htmx, every
second, no inline script), for every kind of import; the report once it is done."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from core.jobs import IMPORT_JOB_TASKS, MSG_WAITING_FOR_QUEUE, waiting_for_broker
from core.models import Job

# kind -> (the page's title, the template of its report, where "back" leads)
JOB_PAGES = {
    "initiative_import": (
        _("Nhập sáng kiến"),
        "initiatives/import/_report.html",
        lambda job: reverse("initiative-import"),
    ),
    "unit_import": (
        _("Nhập danh sách đơn vị"),
        "federation/_unit_import_report.html",
        lambda job: reverse("unit-import"),
    ),
    "target_import": (
        _("Nhập chỉ tiêu"),
        "rankings/_target_import_report.html",
        lambda job: reverse("rankings:unit-targets", args=[job.unit.code]),
    ),
    "member_import": (
        _("Nhập danh sách đoàn viên"),
        "accounts/people/_import_report.html",
        lambda job: reverse("people-import"),
    ),
}


def own_import_job(request, pk: int, kinds=tuple(IMPORT_JOB_TASKS)) -> Job:
    """The person's own import job: anyone else's answers 404, as one that does not exist."""
    job = (
        Job.objects.select_related("unit").filter(pk=pk, owner=request.user, kind__in=kinds).first()
    )
    if job is None:
        raise Http404
    return job


def job_context(job: Job) -> dict:
    title, report_template, back = JOB_PAGES[job.kind]
    return {
        "job": job,
        "title": title,
        "report_template": report_template,
        "back_url": back(job),
        "poll_url": reverse("import-job-progress", args=[job.pk]),
        "waiting_message": _(MSG_WAITING_FOR_QUEUE) if waiting_for_broker(job) else "",
    }


@login_required
@require_GET
def import_job(request, pk: int):
    job = own_import_job(request, pk)
    return render(request, "core/jobs/job.html", job_context(job))


@login_required
@require_GET
def import_job_progress(request, pk: int):
    """The progress fragment htmx polls; once the job is over it carries the report."""
    job = own_import_job(request, pk)
    return render(request, "core/jobs/_progress.html", job_context(job))
