"""Celery tasks of the initiatives app. They take ids, load, and call a service."""

from __future__ import annotations

import logging

from celery import shared_task
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from initiatives.importing import ImportFileError, RowSource, import_initiatives
from portal.models import Job
from portal.tenancy import OFFICER_ROLES, scope_for

logger = logging.getLogger(__name__)

IMPORT_JOB_KIND = "initiative_import"
MSG_JOB_FAILED = gettext_noop("Không nhập được tệp do lỗi hệ thống; hãy thử lại hoặc báo quản trị.")


@shared_task(acks_late=True, soft_time_limit=3 * 3600, time_limit=3 * 3600 + 300)
def run_initiative_import(job_id: int) -> dict:
    """Import the job's file as its owner, keeping Job.done/total up to date for the progress bar.

    Progress is written with UPDATEs outside the import's own transactions, so the
    page polling the Job sees it while a long file runs.
    """
    job = Job.objects.select_related("owner").get(pk=job_id)
    if job.state != Job.State.QUEUED:
        return job.result  # delivered twice (acks_late): the first run owns it
    jobs = Job.objects.filter(pk=job_id)
    try:
        with job.input_file.open("rb") as handle:
            source = RowSource(handle, job.options.get("name") or job.input_file.name)
            total = source.count()
            jobs.update(state=Job.State.RUNNING, total=total, done=0, result={"phase": "validate"})

            def progress(phase: str, done: int) -> None:
                jobs.update(done=min(done, total), result={"phase": phase})

            report = import_initiatives(
                source=source,
                actor=job.owner,
                scope=scope_for(job.owner, OFFICER_ROLES),
                all_or_nothing=job.options.get("all_or_nothing", True),
                on_progress=progress,
            )
    except ImportFileError as exc:
        result = {"error": str(exc)}
        jobs.update(state=Job.State.FAILED, result=result, finished_at=timezone.now())
        return result
    except Exception:
        logger.exception("initiative import job %s failed", job_id)
        result = {"error": _(MSG_JOB_FAILED)}
        jobs.update(state=Job.State.FAILED, result=result, finished_at=timezone.now())
        raise
    result = report.as_dict()
    jobs.update(
        state=Job.State.DONE,
        done=report.total,
        total=report.total,
        result=result,
        finished_at=timezone.now(),
    )
    return {"created": report.created, "updated": report.updated, "bad": report.bad_row_count}
