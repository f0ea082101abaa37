"""Outgoing mail through the OutboxEmail table: nothing is lost when Redis or SMTP is down.

`outbox_enqueue` writes the email inside the caller's transaction and hands it to Celery
after commit (a broker that is down is logged, not raised); `outbox_send` sends one
email under a row lock, so a second delivery of the task sends nothing twice;
`core.tasks.resend_pending_outbox` (every few minutes) sends whatever is left.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from core.models import OutboxEmail

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 10


def _hand_to_celery(email_id: int) -> None:
    try:
        from core.tasks import send_outbox_email

        send_outbox_email.delay(email_id)
    except Exception:  # noqa: BLE001 - broker down: the periodic resend sends it
        logger.warning("outbox email %s left for the periodic resend (broker down)", email_id)


@transaction.atomic
def outbox_enqueue(
    *,
    to: Iterable[str],
    subject: str,
    body: str,
    attachments: Sequence[dict] = (),
) -> OutboxEmail | None:
    recipients = sorted({address for address in to if address})
    if not recipients:
        return None
    email = OutboxEmail.objects.create(
        to=recipients, subject=subject[:255], body=body, attachments=list(attachments)
    )
    transaction.on_commit(lambda: _hand_to_celery(email.pk))
    return email


class OutboxSendError(Exception):
    pass


def outbox_send(*, email_id: int) -> bool:
    """Send one pending email; True if it went out now, False if there was nothing to send.

    A mail server error is recorded on the row (attempts, last error; failed after
    MAX_ATTEMPTS) and then raised as OutboxSendError, so the Celery task retries.
    """
    error = None
    with transaction.atomic():
        email = (
            OutboxEmail.objects.select_for_update(skip_locked=True)
            .filter(pk=email_id, state=OutboxEmail.State.PENDING)
            .first()
        )
        if email is None:
            return False  # sent already, or being sent by another worker
        message = EmailMessage(
            subject=email.subject,
            body=email.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=email.to,
        )
        email.attempts += 1
        try:
            for attachment in email.attachments:
                with default_storage.open(attachment["path"], "rb") as handle:
                    message.attach(attachment["name"], handle.read(), attachment.get("mimetype"))
            message.send(fail_silently=False)
        except Exception as exc:  # noqa: BLE001 - SMTP, DNS, storage: all recorded, retried
            error = exc
            email.last_error = str(exc)[:2000]
            if email.attempts >= MAX_ATTEMPTS:
                email.state = OutboxEmail.State.FAILED
        else:
            email.state = OutboxEmail.State.SENT
            email.sent_at = timezone.now()
        email.save(update_fields=["attempts", "last_error", "state", "sent_at"])
    if error is not None:
        logger.warning(
            "outbox email %s failed (attempt %d of %d): %s",
            email_id,
            email.attempts,
            MAX_ATTEMPTS,
            error,
        )
        raise OutboxSendError(str(error)) from error
    return True


def outbox_pending_ids(*, older_than_seconds: int = 60, limit: int = 500) -> list[int]:
    cutoff = timezone.now() - dt.timedelta(seconds=older_than_seconds)
    return list(
        OutboxEmail.objects.filter(state=OutboxEmail.State.PENDING, created_at__lt=cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
