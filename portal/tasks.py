"""Celery finds tasks in `<app>.tasks`; the portal's live here and in its sub-packages."""

from __future__ import annotations

import logging

from celery import shared_task

from portal import outbox
from portal.rankings.tasks import (  # noqa: F401
    generate_weekly_report,
    generate_weekly_reports,
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
