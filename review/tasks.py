"""Celery tasks of the moderation queue. They take ids, load, and act."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from core.models import Notice
from initiatives.models import Initiative

logger = logging.getLogger(__name__)


def decision_email(*, notice: Notice, initiative: Initiative) -> dict:
    """Subject and body of the email telling the author the decision and its reason."""
    context = {
        "notice": notice,
        "initiative": initiative,
        "site_url": settings.SITE_URL.rstrip("/"),
    }
    with translation.override(notice.recipient.preferred_language):
        body = render_to_string("review/email/decision.txt", context)
    return {"subject": notice.subject, "body": body}


@shared_task(acks_late=True, soft_time_limit=60)
def send_decision_email(notice_id: int, initiative_id: int) -> bool:
    """Kept for messages queued before the outbox: they now go through it."""
    from core.outbox import outbox_enqueue

    notice = Notice.objects.select_related("recipient").filter(pk=notice_id).first()
    initiative = Initiative.objects.filter(pk=initiative_id).only("pk", "title", "status").first()
    if notice is None or initiative is None or not notice.recipient.email:
        return False
    outbox_enqueue(
        to=[notice.recipient.email], **decision_email(notice=notice, initiative=initiative)
    )
    return True
