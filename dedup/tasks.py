"""Celery tasks of the similarity check. They take ids, load, and call a service.

The engine (numpy, scipy, scikit-learn: seconds to import) is imported inside the
tasks, so a web process that only enqueues checks never loads it.
"""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, InterfaceError, OperationalError
from django.utils import timezone

logger = logging.getLogger(__name__)

SWEEP_QUEUE = "sweeps"
# How long an id the sweep queued stays marked: a check removes the mark when it runs;
# if the message is lost the mark expires and a later sweep queues the id again.
SWEEP_MARK_SECONDS = 3600


def _sweep_mark(initiative_id: int) -> str:
    return f"dedup:sweep-queued:{initiative_id}"


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
    from dedup import services
    from initiatives.services import attachments_pending_text

    cache.delete(_sweep_mark(initiative_id))
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


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=600,
    time_limit=660,
)
def web_check_initiative(self, check_id: int) -> dict:
    """The web half of a check, on the webcheck queue, after the archive half.

    Failures are retried with backoff; after WEBCHECK_MAX_RETRIES the web check is
    marked not done and the archive verdict stands.
    """
    from dedup import services

    try:
        check = services.initiative_web_check(check_id=check_id)
    # A provider timing out or failing (ProviderUnavailable), the soft time limit, the
    # database: retried. Anything else too: an initiative the archive passed waits in
    # `checking` for this task, so it must end (done or not done), never hang failed.
    except Exception as exc:  # noqa: BLE001
        if self.request.retries >= settings.WEBCHECK_MAX_RETRIES:
            logger.warning("web check %s not done after retries: %r", check_id, exc)
            services.initiative_web_check_give_up(check_id=check_id, error=str(exc) or repr(exc))
            return {"check_id": check_id, "web_state": "not_done"}
        countdown = settings.WEBCHECK_RETRY_SECONDS * 2**self.request.retries
        raise self.retry(exc=exc, countdown=countdown) from exc
    if check is None:
        return {"check_id": check_id, "skipped": True}
    return {
        "check_id": check_id,
        "flagged": check.flagged,
        "queries": check.web_queries,
        "downloads": check.web_downloads,
    }


@shared_task(acks_late=True, soft_time_limit=300, time_limit=360)
def sweep_unchecked() -> int:
    """Re-enqueue initiatives that stayed in checking (broker down at submission, worker lost).

    The re-checks go to the sweeps queue, never ahead of a person's own check, and an id
    already waiting there is not queued again (an atomic cache.add marks it).
    """
    from dedup import services

    older_than = timezone.now() - dt.timedelta(minutes=settings.DEDUP_SWEEP_AFTER_MINUTES)
    queued = 0
    for initiative_id in services.initiatives_to_sweep(older_than=older_than):
        if not cache.add(_sweep_mark(initiative_id), 1, timeout=SWEEP_MARK_SECONDS):
            continue
        check_initiative.apply_async((initiative_id,), queue=SWEEP_QUEUE)
        queued += 1
    if queued:
        logger.info("sweep re-enqueued %d unchecked initiatives", queued)
    return queued


@shared_task(acks_late=True, soft_time_limit=3600, time_limit=3900)
def compact_similarity_index() -> None:
    """Fold the day's incremental additions into the main postings (PostgreSQL store)."""
    from dedup.archive import get_engine, uses_shared_store

    if uses_shared_store():
        get_engine().compact()
