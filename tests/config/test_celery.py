"""Celery as production runs it: every task registered by a real worker, queues and routes."""

from __future__ import annotations

import importlib
import os

from django.conf import settings

from config.celery import app
from tests.conftest import require_service
from tests.workers import ROOT, celery_worker, redis_reachable

# config and every app of ours (tests/test_layout.py LAYERS), the tasks of each found
# by the worker's autodiscovery.
PROJECT_PACKAGES = (
    "config",
    "core",
    "federation",
    "accounts",
    "initiatives",
    "dedup",
    "review",
    "rankings",
    "portal",
)


def tasks_defined_in_the_code() -> set[str]:
    """Import every tasks.py of the project from disk (not only what autodiscovery finds)
    and return the names of the tasks they define."""
    for package in PROJECT_PACKAGES:
        for path in sorted((ROOT / package).rglob("tasks.py")):
            module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            importlib.import_module(module)
    return {name for name in app.tasks if not name.startswith("celery.")}


def test_a_real_worker_registers_every_task_defined_in_the_code():
    if not settings.REDIS_URL or not redis_reachable(settings.REDIS_URL):
        require_service("Redis", "set REDIS_URL=redis://127.0.0.1:6379/15")
    expected = tasks_defined_in_the_code()
    assert {
        "review.tasks.send_decision_email",
        "rankings.tasks.reconcile_counters",
        "accounts.tasks.run_member_import",
        "accounts.tasks.run_unit_import",
        "core.tasks.sweep_jobs",
        "dedup.tasks.check_initiative",
    } <= expected
    with celery_worker(
        app,
        database_url=os.environ.get("DATABASE_URL", ""),  # registering tasks reads no table
        redis_url=settings.REDIS_URL,
    ) as worker:
        registered = app.control.inspect(destination=[worker.name], timeout=10).registered()
    assert registered, "the worker did not answer inspect registered"
    names = {entry.split(" ")[0] for entry in registered[worker.name]}
    assert {name for name in names if not name.startswith("celery.")} == expected


def test_every_task_is_routed_to_a_declared_queue_by_urgency():
    tasks = tasks_defined_in_the_code()
    router = app.amqp.router
    queues = {}
    for name in tasks:
        route = router.route({}, name)
        queues[name] = route["queue"].name
    assert set(queues.values()) <= set(settings.CELERY_QUEUE_NAMES)
    assert queues["dedup.tasks.check_initiative"] == "checks"
    assert queues["dedup.tasks.sweep_unchecked"] == "sweeps"
    assert queues["initiatives.tasks.run_initiative_import"] == "imports"
    assert queues["rankings.tasks.generate_weekly_report"] == "reports"
    assert queues["review.tasks.send_decision_email"] == "mail"
    assert queues["core.tasks.send_outbox_email"] == "mail"
    assert queues["initiatives.tasks.extract_attachment_text"] == "checks"
    assert settings.CELERY_QUEUE_NAMES[:2] == ["checks", "webcheck"]


def test_every_routed_scheduled_or_job_task_name_is_a_task_of_the_code():
    from config.periodic import PERIODIC_TASKS
    from core.jobs import IMPORT_JOB_TASKS
    from initiatives.services import SIMILARITY_CHECK_TASK

    tasks = tasks_defined_in_the_code()
    named = (
        set(settings.CELERY_TASK_ROUTES)
        | {path for path, _crontab, _kwargs in PERIODIC_TASKS.values()}
        | set(IMPORT_JOB_TASKS.values())
        | {SIMILARITY_CHECK_TASK}
    )
    assert named - tasks == set()


def test_the_broker_visibility_timeout_exceeds_the_longest_task():
    longest = max(
        app.tasks[name].time_limit or app.conf.task_time_limit
        for name in tasks_defined_in_the_code()
    )
    assert longest is not None, "every task has a time limit (CELERY_TASK_TIME_LIMIT)"
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] > longest


def test_task_errors_propagate_in_tests():
    assert app.conf.task_eager_propagates is True
