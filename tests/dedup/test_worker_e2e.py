"""End to end through the real parts: a Celery worker process, Redis, PostgreSQL."""

import time
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.db import connection

from config.celery import app as celery_app
from dedup.models import SimilarityCheck, SimilarityMatch
from initiatives.models import Initiative, Status
from tests.conftest import require_service
from tests.dedup import samples
from tests.dedup.test_services import PARTLY_COPIED
from tests.dedup.test_webcheck import PAGE_PARAGRAPHS, WITH_WEB_COPY
from tests.localweb import local_web
from tests.workers import celery_worker, database_url, purge_queues, redis_reachable


@contextmanager
def worker_for_test(extra_env: dict[str, str] | None = None):
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
            extra_env=extra_env,
        ) as worker:
            yield worker
    finally:
        celery_app.conf.task_always_eager = previous
        purge_queues(celery_app)


@pytest.fixture
def real_worker(transactional_db):
    with worker_for_test() as worker:
        yield worker


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


def test_a_search_engine_that_times_out_leaves_the_archive_verdict_after_the_retries(
    transactional_db, hand_in, personas
):
    """The worker's web check asks a search server that answers too late: it retries
    (short delays set through the settings), marks the web check not done, and the
    initiative, waiting in checking until then, takes the archive verdict."""
    with local_web() as web:
        web.add_article("/sang-kien-kho-lanh", "Sáng kiến kho lạnh", PAGE_PARAGRAPHS)
        web.search_delay = 2.0
        env = {
            "WEBCHECK_SEARXNG_URL": web.base,
            "WEBCHECK_ALLOW_PRIVATE_ADDRESSES": "127.0.0.0/8",
            "WEBCHECK_READ_TIMEOUT": "0.5",
            "WEBCHECK_MAX_RETRIES": "2",
            "WEBCHECK_RETRY_SECONDS": "0.5",
        }
        with worker_for_test(env):
            original = hand_in(personas.worker_b, samples.FREEZING_LINE, title="Tự động xả đá")
            assert wait_for_status(original, {Status.VALID, Status.FLAGGED}) == Status.VALID
            copy = hand_in(personas.worker_a, PARTLY_COPIED + " " + WITH_WEB_COPY)
            check = wait_for_check(copy)
            # The archive verdict is stored before the web check ends; the initiative
            # waits for the web half.
            assert check.flagged is True
            assert check.web_state == SimilarityCheck.WebState.PENDING
            assert copy.status == Status.CHECKING
            assert wait_for_status(copy, {Status.FLAGGED, Status.VALID}) == Status.FLAGGED

    check.refresh_from_db()
    assert check.web_state == SimilarityCheck.WebState.NOT_DONE
    assert "ReadTimeout" in check.web_error
    # The first try and two retries asked the search engine, for each initiative.
    assert len(web.searches) == 6, web.searches
    assert not check.matches.filter(source_kind="web").exists()
    assert check.matches.get(flagged=True).source_initiative_id == original.pk


def wait_for_check(initiative: Initiative, timeout: float = 60) -> SimilarityCheck:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        check = initiative.similarity_checks.filter(state=SimilarityCheck.State.DONE).first()
        if check is not None:
            initiative.refresh_from_db()
            return check
        time.sleep(0.1)
    raise AssertionError("the archive check did not finish")
