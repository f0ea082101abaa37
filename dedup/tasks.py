"""Celery tasks of the similarity check. They take ids, load, and call a service."""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError
from django.utils import timezone

from dedup import services
from dedup.archive import get_engine, uses_shared_store
from initiatives.services import attachments_pending_text

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, InterfaceError, DatabaseError, ConnectionError, TimeoutError),
    retry_backoff=5,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=8,
    soft_time_limit=120,
    time_limit=180,
)
def check_initiative(self, initiative_id: int) -> dict:
    """Check one initiative. Safe to run twice: a decided initiative is left alone."""
    if attachments_pending_text(initiative_id):
        # Its files' text is still being extracted; the extraction task starts the check.
        return {"initiative_id": initiative_id, "waiting_for_attachment_text": True}
    check = services.initiative_check(initiative_id=initiative_id)
    if check is None:
        return {"initiative_id": initiative_id, "skipped": True}
    return {
        "initiative_id": initiative_id,
        "flagged": check.flagged,
        "matches": check.matches.count(),
    }


@shared_task(acks_late=True, soft_time_limit=300, time_limit=360)
def sweep_unchecked() -> int:
    """Re-enqueue initiatives that stayed in checking (broker down at submission, worker lost)."""
    older_than = timezone.now() - dt.timedelta(minutes=settings.DEDUP_SWEEP_AFTER_MINUTES)
    initiative_ids = services.initiatives_to_sweep(older_than=older_than)
    for initiative_id in initiative_ids:
        check_initiative.delay(initiative_id)
    if initiative_ids:
        logger.info("sweep re-enqueued %d unchecked initiatives", len(initiative_ids))
    return len(initiative_ids)


@shared_task(acks_late=True, soft_time_limit=3600, time_limit=3900)
def compact_similarity_index() -> None:
    """Fold the day's incremental additions into the main postings (PostgreSQL store)."""
    if uses_shared_store():
        get_engine().compact()
