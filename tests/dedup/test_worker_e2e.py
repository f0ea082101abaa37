"""End to end through the real parts: a Celery worker process, Redis, PostgreSQL."""

import time

import pytest
from django.conf import settings
from django.db import connection

from config.celery import app as celery_app
from dedup.models import SimilarityMatch
from initiatives.models import Initiative, Status
from tests.conftest import require_service
from tests.dedup import samples
from tests.dedup.test_services import PARTLY_COPIED
from tests.workers import celery_worker, database_url, purge_queues, redis_reachable


@pytest.fixture
def real_worker(transactional_db):
    if connection.vendor != "postgresql":
        require_service("PostgreSQL", "set DATABASE_URL=postgres://... to run the worker test")
    if not settings.REDIS_URL or not redis_reachable(settings.REDIS_URL):
        require_service("Redis", "set REDIS_URL=redis://127.0.0.1:6379/15 to run the worker test")
    purge_queues(celery_app)
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        with celery_worker(
            celery_app,
            database_url=database_url(connection.settings_dict),
            redis_url=settings.REDIS_URL,
        ) as worker:
            yield worker
    finally:
        celery_app.conf.task_always_eager = previous


def wait_for_status(initiative: Initiative, wanted: set[str], timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        initiative.refresh_from_db()
        if initiative.status in wanted:
            return initiative.status
        time.sleep(0.25)
    return initiative.status


def test_a_copy_submitted_through_the_real_worker_comes_back_flagged_with_passages(
    real_worker, hand_in, personas
):
    original = hand_in(personas.worker_b, samples.FREEZING_LINE, title="Tự động xả đá")
    assert wait_for_status(original, {Status.VALID}) == Status.VALID

    copy = hand_in(personas.worker_a, PARTLY_COPIED, title="Cải tiến nhiều khâu")

    assert wait_for_status(copy, {Status.FLAGGED, Status.VALID}) == Status.FLAGGED
    match = SimilarityMatch.objects.get(initiative=copy)
    assert match.source_initiative_id == original.pk
    assert match.passages and match.coverage > 0.05
    checked = copy.similarity_checks.get().checked_text
    first = match.passages[0]
    assert "cảm biến nhiệt độ" in checked[first["start"] : first["end"]]
