"""Background jobs on a person's behalf (every web import): started, run, recovered.

A page never runs an import itself: it stores the upload in a `Job` and hands the job
to Celery (`job_start`). The task runs the import through `job_run`, which

- claims the job (one run owns it at a time, named by `run_token`); a second delivery
  of the same task (acks_late) finds it owned by a live run and leaves it;
- writes progress, which is also the run's sign of life (`heartbeat_at`), at least
  every `JOB_PROGRESS_SECONDS`, through a connection of its own, so the page sees it
  move while the import's transaction is still open;
- lets the import commit checkpoints with its own rows (`JobRun.checkpoint`), so a
  run that takes over resumes after the last committed one.

When a worker is killed mid-import its run stops beating. `sweep_jobs` (every minute)
hands a job silent for `JOB_STALE_SECONDS` to another worker, which resumes it; after
`JOB_MAX_ATTEMPTS` runs it is marked failed with a message that says so. A job the
broker never received (Redis down at upload) stays queued with its file kept, and the
sweep hands it over once the broker is back: the upload page never answers 500.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.base import File
from django.db import DEFAULT_DB_ALIAS, OperationalError, connection, connections, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.models import Job

logger = logging.getLogger(__name__)

# kind -> the Celery task that runs it (by name: the apps that own them import this module).
IMPORT_JOB_TASKS = {
    "initiative_import": "initiatives.tasks.run_initiative_import",
    "unit_import": "accounts.tasks.run_unit_import",
    "target_import": "rankings.tasks.run_target_import",
    "member_import": "accounts.tasks.run_member_import",
}

MSG_JOB_FAILED = gettext_noop("Không nhập được tệp do lỗi hệ thống; hãy thử lại hoặc báo quản trị.")
MSG_JOB_INTERRUPTED = gettext_noop(
    "Việc nhập bị gián đoạn {attempts} lần (máy xử lý dừng đột ngột) nên đã dừng hẳn. "
    "{kept} Hãy tải tệp lên lại; các dòng đã ghi sẽ được cập nhật, không nhân đôi."
)
MSG_KEPT_NOTHING = gettext_noop("Chưa dòng nào được ghi.")
MSG_KEPT_ROWS = gettext_noop("Đã ghi xong {rows} dòng đầu.")
MSG_WAITING_FOR_QUEUE = gettext_noop(
    "Hàng đợi xử lý đang tạm gián đoạn. Tệp của bạn đã được lưu và sẽ tự bắt đầu "
    "trong giây lát, khi hàng đợi hoạt động lại; bạn có thể đóng trang này."
)


PROGRESS_LOCK_TIMEOUT_MS = 2000


class JobInputError(ValueError):
    """The uploaded file cannot be imported at all; its message is shown as the result."""


class JobLost(Exception):
    """Another run took the job over (this one was presumed dead): stop, write nothing."""


def _broker_errors() -> tuple[type[BaseException], ...]:
    from kombu.exceptions import OperationalError
    from redis.exceptions import RedisError

    return (OperationalError, RedisError, ConnectionError, OSError, TimeoutError)


def job_task(kind: str):
    from config.celery import app

    return app.tasks[IMPORT_JOB_TASKS[kind]]


def job_start(*, kind: str, owner, uploaded, options: dict, unit=None) -> Job:
    """Keep the upload in a new job and hand it to a worker after commit."""
    uploaded.seek(0)
    job = Job(kind=kind, owner=owner, unit=unit, options={**options, "name": uploaded.name})
    job.input_file.save(uploaded.name, File(uploaded), save=False)
    job.save()
    transaction.on_commit(lambda: job_enqueue(job.pk))
    return job


def job_enqueue(job_id: int) -> bool:
    """Hand a job to the broker (again, for the sweep). A broker that is down is logged,
    never raised: a queued job keeps `enqueued_at` empty and `sweep_jobs` tries later."""
    job = Job.objects.filter(pk=job_id).only("kind").first()
    if job is None or job.kind not in IMPORT_JOB_TASKS:
        return False
    jobs = Job.objects.filter(pk=job_id)
    # Marked before sending: an in-process (eager) run finishes inside `delay`.
    jobs.filter(state=Job.State.QUEUED).update(enqueued_at=timezone.now())
    try:
        job_task(job.kind).delay(job_id)
    except _broker_errors():
        logger.warning("broker unavailable: job %s stays queued for the sweep", job_id)
        jobs.filter(state=Job.State.QUEUED).update(enqueued_at=None)
        return False
    return True


def waiting_for_broker(job: Job) -> bool:
    """True while a queued job has not reached the broker (the page says it will start)."""
    return job.state == Job.State.QUEUED and job.enqueued_at is None


@dataclass
class JobRun:
    """One run of a job: progress, heartbeat and checkpoints, all fenced by `token`."""

    job: Job
    token: str
    _side: object = None
    _last_write: float = field(default=0.0)
    _done: int = 0
    _phase: str = ""

    def __post_init__(self) -> None:
        # Progress needs its own connection only where the import's transaction would
        # hide it: a worker on PostgreSQL. Inside a caller's transaction (tests, an
        # in-process run) or on SQLite (one writer at a time) it shares the main one.
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            self._side = connections.create_connection(DEFAULT_DB_ALIAS)
            with self._side.cursor() as cursor:
                # Never wait long behind a lock (a migration, a flush): skip that write.
                cursor.execute("SET lock_timeout = %s", [f"{PROGRESS_LOCK_TIMEOUT_MS}ms"])

    @property
    def resume(self) -> dict:
        """The checkpoint a run that was interrupted left, or {}."""
        return self.job.checkpoint or {}

    def set_total(self, total: int) -> None:
        self.job.total = total
        self._write(self._done, self._phase)

    def progress(self, phase: str, done: int) -> None:
        """Called as often as the work likes (each row): written at most every
        JOB_PROGRESS_SECONDS, and at once when the phase changes."""
        done = min(done, self.job.total) if self.job.total else done
        now = time.monotonic()
        if phase == self._phase and now - self._last_write < settings.JOB_PROGRESS_SECONDS:
            self._done = done
            return
        self._write(done, phase)

    def _write(self, done: int, phase: str) -> None:
        self._done, self._phase, self._last_write = done, phase, time.monotonic()
        table = Job._meta.db_table
        sql = (
            f"UPDATE {table} SET done = %s, total = %s, phase = %s, heartbeat_at = %s "
            "WHERE id = %s AND run_token = %s AND state = %s"
        )
        params = [done, self.job.total, phase, timezone.now(), self.job.pk, self.token]
        params.append(Job.State.RUNNING)
        if self._side is None:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                updated = cursor.rowcount
        else:
            try:
                with self._side.cursor() as cursor:
                    cursor.execute(sql, params)
                    updated = cursor.rowcount
            except OperationalError:  # the lock timeout: progress is shown at the next write
                logger.warning("progress of job %s not written (locked)", self.job.pk)
                return
        if updated == 0:
            raise JobLost(self.job.pk)

    def checkpoint(self, state: dict) -> None:
        """Record `state` in the caller's transaction, with the rows it stands for: if
        they are rolled back, so is the checkpoint. Call it last in that transaction."""
        updated = Job.objects.filter(pk=self.job.pk, run_token=self.token).update(checkpoint=state)
        if not updated:
            raise JobLost(self.job.pk)
        self.job.checkpoint = state

    def close(self) -> None:
        if self._side is not None:
            self._side.close()
            self._side = None


def _claim(job_id: int, token: str) -> Job | None:
    """Take the job for this run: a queued one, or a running one whose run went silent."""
    stale = timezone.now() - dt.timedelta(seconds=settings.JOB_STALE_SECONDS)
    with transaction.atomic():
        # FOR UPDATE: two deliveries of the same task may claim at once.
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.state in (Job.State.DONE, Job.State.FAILED):
            return None
        if job.state == Job.State.RUNNING and job.heartbeat_at and job.heartbeat_at > stale:
            return None  # a live run owns it (a second delivery of the task)
        job.attempts += 1
        job.state = Job.State.RUNNING
        job.run_token = token
        job.heartbeat_at = timezone.now()
        job.save(update_fields=["attempts", "state", "run_token", "heartbeat_at"])
    return Job.objects.select_related("owner", "unit").get(pk=job_id)


def _interrupted_message(job: Job) -> str:
    rows = (job.checkpoint or {}).get("done", 0)
    kept = _(MSG_KEPT_ROWS).format(rows=rows) if rows else _(MSG_KEPT_NOTHING)
    return _(MSG_JOB_INTERRUPTED).format(attempts=job.attempts - 1, kept=kept)


def _fail(job_id: int, token: str, message: str) -> dict:
    result = {"error": message}
    Job.objects.filter(pk=job_id, run_token=token).update(
        state=Job.State.FAILED, result=result, finished_at=timezone.now()
    )
    return result


def job_run(job_id: int, work: Callable[[JobRun], dict]) -> dict | None:
    """Run `work` for the job if this run can claim it; store its result (JSON).

    `work` raises JobInputError for a file that cannot be imported (shown as the
    job's error). Returns the result, or None when another run owns the job.
    """
    token = uuid.uuid4().hex
    job = _claim(job_id, token)
    if job is None:
        return None
    if job.attempts > settings.JOB_MAX_ATTEMPTS:
        logger.error("job %s interrupted %d times: marked failed", job_id, job.attempts - 1)
        return _fail(job_id, token, _interrupted_message(job))
    if job.attempts > 1:
        logger.warning("job %s resumed (run %d) from %s", job_id, job.attempts, job.checkpoint)
    run = JobRun(job=job, token=token)
    try:
        result = work(run)
    except JobLost:
        logger.warning("job %s was taken over by another run; this one stops", job_id)
        return None
    except JobInputError as exc:
        return _fail(job_id, token, str(exc))
    except Exception:
        logger.exception("job %s failed", job_id)
        return _fail(job_id, token, _(MSG_JOB_FAILED))
    finally:
        run.close()
    finished = Job.objects.filter(pk=job_id, run_token=token).update(
        state=Job.State.DONE,
        done=job.total,
        result=result,
        finished_at=timezone.now(),
    )
    return result if finished else None


def jobs_to_sweep() -> tuple[list[int], list[int]]:
    """(queued jobs the broker may never have received, running jobs gone silent)."""
    now = timezone.now()
    requeue_before = now - dt.timedelta(seconds=settings.JOB_REQUEUE_SECONDS)
    stale = now - dt.timedelta(seconds=settings.JOB_STALE_SECONDS)
    kinds = Job.objects.filter(kind__in=IMPORT_JOB_TASKS)
    queued = kinds.filter(state=Job.State.QUEUED).filter(
        Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=requeue_before)
    )
    silent = kinds.filter(state=Job.State.RUNNING).filter(
        Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=stale)
    )
    return (
        list(queued.values_list("pk", flat=True)[:500]),
        list(silent.values_list("pk", flat=True)[:500]),
    )


def jobs_sweep() -> int:
    """Hand over again what was not received or was lost; returns how many were sent.

    A silent run is handed over as it is: the task's claim takes it from the dead run
    (or fails it after too many attempts), and a run that was only slow finds its token
    gone at its next heartbeat and stops."""
    queued, silent = jobs_to_sweep()
    sent = sum(job_enqueue(job_id) for job_id in queued + silent)
    if sent:
        logger.info("job sweep handed over %d of %d jobs", sent, len(queued) + len(silent))
    return sent
