"""The check as a Celery task: retries, late acks, the sweep when the broker was down."""

import datetime as dt
from unittest import mock

import pytest
from django.db import OperationalError
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerDown

from dedup import services, tasks
from initiatives.models import Initiative, Status
from tests.dedup import samples

pytestmark = pytest.mark.django_db


def test_the_task_acks_late_retries_with_backoff_and_has_time_limits():
    task = tasks.check_initiative
    assert task.acks_late and task.reject_on_worker_lost
    assert OperationalError in task.autoretry_for
    assert task.retry_backoff and task.max_retries >= 5
    assert task.soft_time_limit and task.time_limit > task.soft_time_limit


def test_the_task_retries_a_database_error_then_checks(hand_in, personas):
    initiative = hand_in(personas.worker_a, samples.SCHOOL_LAB)
    real_check = services.initiative_check
    calls = []

    def flaky(*, initiative_id):
        calls.append(initiative_id)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real_check(initiative_id=initiative_id)

    with mock.patch.object(services, "initiative_check", side_effect=flaky):
        result = tasks.check_initiative.apply(args=[initiative.pk], throw=False).get()
    assert len(calls) == 2
    assert result == {"initiative_id": initiative.pk, "flagged": False, "matches": 0}
    initiative.refresh_from_db()
    assert initiative.status == Status.VALID


def test_broker_down_at_submission_saves_the_initiative_and_the_sweep_checks_it(
    hand_in, personas, django_capture_on_commit_callbacks
):
    with (
        mock.patch.object(tasks.check_initiative, "delay", side_effect=BrokerDown("redis down")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        initiative = hand_in(personas.worker_a, samples.RUBBER_TAPPING)
    initiative.refresh_from_db()
    assert initiative.status == Status.CHECKING  # saved, waiting

    # Not yet old enough to be swept.
    assert tasks.sweep_unchecked() == 0
    Initiative.objects.filter(pk=initiative.pk).update(
        updated_at=timezone.now() - dt.timedelta(hours=1)
    )
    assert tasks.sweep_unchecked() == 1  # Celery is eager in tests: the check runs now
    initiative.refresh_from_db()
    assert initiative.status == Status.VALID


def test_submission_enqueues_the_check_after_commit(
    hand_in, personas, django_capture_on_commit_callbacks
):
    with mock.patch.object(tasks.check_initiative, "delay") as delay:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            initiative = hand_in(personas.worker_a, samples.HOSPITAL_QUEUE)
        delay.assert_not_called()  # nothing is sent before the transaction commits
        for callback in callbacks:
            callback()
        delay.assert_called_once_with(initiative.pk)


def test_the_sweep_queues_its_rechecks_on_the_sweeps_queue_and_never_twice(hand_in, personas):
    from django.core.cache import cache

    with mock.patch.object(tasks.check_initiative, "delay"):
        initiative = hand_in(personas.worker_a, samples.RUBBER_TAPPING)
    Initiative.objects.filter(pk=initiative.pk).update(
        status=Status.CHECKING, updated_at=timezone.now() - dt.timedelta(hours=1)
    )
    cache.clear()
    with mock.patch.object(tasks.check_initiative, "apply_async") as apply_async:
        assert tasks.sweep_unchecked() == 1
        assert tasks.sweep_unchecked() == 0  # still waiting in the queue: not queued again
    apply_async.assert_called_once_with((initiative.pk,), queue="sweeps")


def test_initiatives_enqueues_the_check_by_the_name_dedup_registers():
    """initiatives sits below dedup: it names the task, and the name is dedup's task."""
    from config.celery import app
    from initiatives.services import SIMILARITY_CHECK_TASK

    assert app.tasks[SIMILARITY_CHECK_TASK].run is tasks.check_initiative.run
