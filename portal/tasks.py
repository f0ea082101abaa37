"""Celery finds tasks in `<app>.tasks`; the portal's live here and in its sub-packages."""

from __future__ import annotations

import logging

from celery import shared_task

from portal import jobs, outbox
from portal.rankings.tasks import (  # noqa: F401
    generate_weekly_report,
    generate_weekly_reports,
    run_target_import,
    send_lagging_reminders,
    snapshot_weekly_rankings,
)

logger = logging.getLogger(__name__)


@shared_task(
    acks_late=True,
    autoretry_for=(outbox.OutboxSendError,),
    retry_backoff=30,
    retry_backoff_max=1800,
    max_retries=outbox.MAX_ATTEMPTS,
    soft_time_limit=60,
)
def send_outbox_email(email_id: int) -> bool:
    """Send one email of the outbox; a mail server error is retried with backoff."""
    return outbox.outbox_send(email_id=email_id)


@shared_task(acks_late=True, soft_time_limit=300, time_limit=360)
def resend_pending_outbox(older_than_seconds: int = 60) -> int:
    """Send what the outbox still holds (broker down at enqueue, worker lost, SMTP down)."""
    sent = 0
    for email_id in outbox.outbox_pending_ids(older_than_seconds=older_than_seconds):
        try:
            sent += outbox.outbox_send(email_id=email_id)
        except outbox.OutboxSendError:
            logger.warning("outbox email %s still not sent", email_id)
    return sent


MEMBER_IMPORT_JOB_KIND = "member_import"


@shared_task(acks_late=True, soft_time_limit=3600, time_limit=3900)
def run_member_import(job_id: int) -> dict | None:
    """Import the job's member list as its owner. Each row commits with its checkpoint:
    a run taking over from a killed worker goes on after the last row written."""
    from federation.models import OrgUnit
    from portal import membership
    from portal.tabular import TableError

    def work(run: jobs.JobRun) -> dict:
        job = run.job
        try:
            with job.input_file.open("rb") as handle:
                rows = list(membership.member_table(handle, job.options.get("name", "")))
        except (TableError, FileNotFoundError) as exc:
            raise jobs.JobInputError(str(exc)) from exc
        run.set_total(len(rows))
        report = membership.members_import(
            viewer=job.owner,
            rows=rows,
            default_unit=OrgUnit.objects.get(pk=job.options["default_unit_id"]),
            on_progress=run.progress,
            on_checkpoint=run.checkpoint,
            resume=run.resume,
        )
        return report.as_dict()

    return jobs.job_run(job_id, work)


@shared_task(acks_late=True, soft_time_limit=120, time_limit=180)
def sweep_jobs() -> int:
    """Every minute: hand over imports the broker never received (down at upload) and
    imports whose worker went silent (killed); the next run resumes or fails them."""
    return jobs.jobs_sweep()
