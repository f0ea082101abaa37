"""End to end through the real parts: a Celery worker process, Redis, PostgreSQL."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from config.celery import app as celery_app
from dedup.models import SimilarityMatch
from initiatives.models import Initiative, Status
from tests.conftest import require_service
from tests.dedup import samples
from tests.dedup.test_services import PARTLY_COPIED

ROOT = Path(__file__).resolve().parents[2]


def _redis_reachable(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


@pytest.fixture
def real_worker(transactional_db):
    if connection.vendor != "postgresql":
        require_service("PostgreSQL", "set DATABASE_URL=postgres://... to run the worker test")
    if not settings.REDIS_URL or not _redis_reachable(settings.REDIS_URL):
        require_service("Redis", "set REDIS_URL=redis://127.0.0.1:6379/15 to run the worker test")
    queue = f"test-{uuid.uuid4().hex[:8]}"
    database = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": (
            f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}"
            f"/{database['NAME']}"
        ),
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_TASK_ALWAYS_EAGER": "False",
        "CELERY_QUEUE": queue,
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool",
            "solo",
            "-Q",
            queue,
            "-l",
            "info",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    previous = (celery_app.conf.task_always_eager, celery_app.conf.task_default_queue)
    celery_app.conf.task_always_eager = False
    celery_app.conf.task_default_queue = queue
    try:
        yield worker
    finally:
        celery_app.conf.task_always_eager, celery_app.conf.task_default_queue = previous
        worker.terminate()
        try:
            output, _ = worker.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            output, _ = worker.communicate()
        print(output[-4000:])


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
