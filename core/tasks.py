"""Tasks of the infrastructure: the mail outbox and the sweep of interrupted jobs."""

from __future__ import annotations

import logging

from celery import shared_task

from core import jobs, outbox

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


@shared_task(acks_late=True, soft_time_limit=120, time_limit=180)
def sweep_jobs() -> int:
    """Every minute: hand over imports the broker never received (down at upload) and
    imports whose worker went silent (killed); the next run resumes or fails them."""
    return jobs.jobs_sweep()
