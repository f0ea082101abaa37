"""Celery tasks of the moderation queue. They take ids, load, and act."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation

from initiatives.models import Initiative
from portal.models import Notice

logger = logging.getLogger(__name__)


@shared_task(
    acks_late=True,
    autoretry_for=(ConnectionError, TimeoutError, OSError),
    retry_backoff=30,
    max_retries=5,
    soft_time_limit=60,
)
def send_decision_email(notice_id: int, initiative_id: int) -> bool:
    """Email the author the decision and its reason (the notice already holds both)."""
    notice = Notice.objects.select_related("recipient").filter(pk=notice_id).first()
    initiative = Initiative.objects.filter(pk=initiative_id).only("pk", "title", "status").first()
    if notice is None or initiative is None or not notice.recipient.email:
        return False
    context = {
        "notice": notice,
        "initiative": initiative,
        "site_url": settings.SITE_URL.rstrip("/"),
    }
    with translation.override(notice.recipient.preferred_language):
        message = render_to_string("review/email/decision.txt", context)
    send_mail(
        subject=notice.subject,
        message=message,
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[notice.recipient.email],
    )
    return True
