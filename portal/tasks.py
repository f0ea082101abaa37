"""Celery finds tasks in `<app>.tasks`; the portal's live here and in its sub-packages."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage

from portal.rankings.tasks import (  # noqa: F401
    generate_weekly_report,
    generate_weekly_reports,
    send_lagging_reminders,
    snapshot_weekly_rankings,
)

logger = logging.getLogger(__name__)

# smtplib's errors are OSErrors, as are refused and timed-out connections.
MAIL_RETRY = {
    "autoretry_for": (OSError,),
    "retry_backoff": 30,
    "retry_backoff_max": 3600,
    "retry_jitter": True,
    "max_retries": 8,
}


@shared_task(bind=True, acks_late=True, soft_time_limit=60, time_limit=90, **MAIL_RETRY)
def send_email_message(self, subject: str, body: str, recipients: list[str]) -> int:
    """Send one plain-text mail from DEFAULT_FROM_EMAIL; a failed send is logged and retried."""
    message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    try:
        return message.send()
    except OSError as error:
        logger.warning(
            "mail %r to %d recipient(s) failed (attempt %d): %s",
            subject,
            len(recipients),
            self.request.retries + 1,
            error,
        )
        raise
