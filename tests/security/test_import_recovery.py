"""Finding: after a worker crash the redelivered import saw "running" and returned, so the
job stayed "running" for ever; with the broker down the officer got a 500 and the job
stayed "queued" for ever.

Against real services: a real worker process (`celery -A config worker` on Redis, on
pytest's test database) is killed with SIGKILL in the middle of an import; a second
worker, handed the job by the sweep as beat would, resumes it from the last committed
checkpoint (valid rows) or from the start (all-or-nothing, which the kill rolled back).
The counters then agree with a full recount. With the broker at a closed port, every
import page keeps the upload, says the job will start, and the sweep starts it once the
broker is back.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import io
import os
import signal
import time

import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone
from openpyxl import Workbook

from config.celery import app as celery_app
from core import jobs
from core.models import Job
from initiatives import importing
from initiatives.models import Initiative
from initiatives.tasks import IMPORT_JOB_KIND, run_initiative_import
from tests.conftest import require_service
from tests.factories import decree_columns
from tests.rankings.test_reconcile import counters_equal_a_full_recount
from tests.security.test_redis_down import redis_down  # noqa: F401 - a fixture
from tests.workers import LOGS, celery_worker, database_url, purge_queues, redis_reachable

ROWS = 200
CHECKPOINT_ROWS = 25
STALE_SECONDS = 3


def workbook(unit_code: str, rows: int = ROWS) -> bytes:
    columns = list(importing.TEMPLATE_COLUMNS)
    book = Workbook()
    sheet = book.active
    sheet.append(columns)
    for n in range(rows):
        values = {
            "external_id": f"CRASH-{n:04d}",
            "title": f"Sáng kiến số {n}: thay băng tải ở tổ {n % 13}",
            "content": f"Lắp biến tần cho máy nén số {n}, điều chỉnh theo nhiệt độ kho lạnh.",
            "author_name": "Nguyễn Thị Hằng; Trần Văn Lộc",
            "author_percent": "60; 40",
            "unit_code": unit_code,
            "submitted_at": "20/05/2025",
            "participant_group": "enterprise",
            "benefit_vnd": 12_000_000,
            **decree_columns(),
        }
        sheet.append([values.get(c, "") for c in columns])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def wait_for(what: str, probe, timeout: float = 180, every: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


@pytest.fixture
def real_worker(settings, tmp_path):
    """Start workers on the imports queue (real Redis, pytest's test database) on demand;
    tasks sent from the test go through Redis to them."""
    if connection.vendor != "postgresql" or not django_settings.REDIS_URL:
        require_service("PostgreSQL and Redis", "set DATABASE_URL and REDIS_URL")
    if not redis_reachable(django_settings.REDIS_URL):
        require_service("Redis", f"{django_settings.REDIS_URL} does not answer")
    settings.MEDIA_ROOT = tmp_path
    settings.JOB_STALE_SECONDS = STALE_SECONDS
    env = {
        "MEDIA_ROOT": str(tmp_path),
        "IMPORT_CHECKPOINT_ROWS": str(CHECKPOINT_ROWS),
        "JOB_STALE_SECONDS": str(STALE_SECONDS),
        "JOB_PROGRESS_SECONDS": "0.5",
    }
    # One test at a time (across xdist processes) may run workers on the imports queue:
    # a worker of another process would take this test's job to its own database.
    LOGS.mkdir(parents=True, exist_ok=True)
    lock = (LOGS / "imports-queue.lock").open("w")
    fcntl.flock(lock, fcntl.LOCK_EX)
    purge_queues(celery_app)
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    # A worker already running in this session (the browser tests' one, on all queues)
    # would take this test's jobs and checks with other settings: it stops consuming
    # every queue meanwhile.
    others = {
        name: [queue["name"] for queue in queues]
        for name, queues in (celery_app.control.inspect(timeout=1).active_queues() or {}).items()
    }
    for name, queues in others.items():
        for queue in queues:
            celery_app.control.cancel_consumer(queue, destination=[name], reply=True)

    def start():
        return celery_worker(
            celery_app,
            database_url=database_url(connection.settings_dict),
            redis_url=django_settings.REDIS_URL,
            queues=["imports"],
            extra_env=env,
        )

    try:
        yield start
    finally:
        celery_app.conf.task_always_eager = eager
        purge_queues(celery_app)  # the similarity checks the imports queued, never run here
        for name, queues in others.items():
            for queue in queues:
                celery_app.control.add_consumer(queue, destination=[name], reply=True)
        fcntl.flock(lock, fcntl.LOCK_UN)
        lock.close()


def start_job(owner, content: bytes, *, all_or_nothing: bool) -> Job:
    upload = SimpleUploadedFile("sang-kien-lon.xlsx", content)
    # Autocommit (a transactional test): the job goes to the broker at once.
    return jobs.job_start(
        kind=IMPORT_JOB_KIND,
        owner=owner,
        uploaded=upload,
        options={"all_or_nothing": all_or_nothing},
    )


def kill(worker) -> None:
    os.kill(worker.process.pid, signal.SIGKILL)
    worker.process.wait(timeout=30)


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_import_is_resumed_by_another_from_its_checkpoint(
    country, personas, real_worker
):
    content = workbook(country.grassroots_a.code)
    with real_worker() as first:  # a solo worker busy with a task answers no ping: start it first
        job = start_job(personas.officer_a, content, all_or_nothing=False)
        # Two checkpoints committed, far from the end: kill the worker there.
        wait_for(
            "two checkpoints",
            lambda: Job.objects.get(pk=job.pk).checkpoint.get("done", 0) >= 2 * CHECKPOINT_ROWS,
        )
        kill(first)
    job.refresh_from_db()
    assert job.state == Job.State.RUNNING and job.attempts == 1
    kept = job.checkpoint["done"]
    assert 2 * CHECKPOINT_ROWS <= kept < ROWS
    # The checkpoint commits with its rows: exactly the rows it counts are written (what
    # the killed run wrote after it was rolled back with its connection).
    wait_for("the rollback", lambda: Initiative.objects.count() == kept, timeout=30)

    with real_worker() as second:
        time.sleep(STALE_SECONDS + 0.5)  # the killed run is now silent for long enough
        assert jobs.jobs_sweep() == 1  # what beat runs every minute
        wait_for(
            "the resumed import",
            lambda: Job.objects.get(pk=job.pk).state != Job.State.RUNNING,
            timeout=900,
        )
    assert f"job {job.pk} resumed (run 2)" in second.log()
    job.refresh_from_db()
    assert job.state == Job.State.DONE and job.attempts == 2
    assert (job.done, job.total) == (ROWS, ROWS)
    assert job.result["created"] == ROWS
    assert (job.result["updated"], job.result["bad_row_count"], job.result["errors"]) == (0, 0, [])
    assert Initiative.objects.count() == ROWS
    assert Initiative.objects.filter(external_id__startswith="CRASH-").count() == ROWS
    counters_equal_a_full_recount()


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_all_or_nothing_import_leaves_nothing_then_it_runs_again(
    country, personas, real_worker
):
    rows = 150
    content = workbook(country.grassroots_a.code, rows=rows)
    with real_worker() as first:
        job = start_job(personas.officer_a, content, all_or_nothing=True)

        def writing() -> bool:
            current = Job.objects.get(pk=job.pk)
            return current.phase == "write" and current.done >= 2 * CHECKPOINT_ROWS

        wait_for("the write phase", writing)
        kill(first)
    # Killed inside the one transaction: nothing of it is left.
    wait_for("the rollback", lambda: not Initiative.objects.exists(), timeout=30)
    job.refresh_from_db()
    assert job.state == Job.State.RUNNING and job.checkpoint == {}

    with real_worker():
        time.sleep(STALE_SECONDS + 0.5)
        assert jobs.jobs_sweep() == 1
        wait_for(
            "the second run",
            lambda: Job.objects.get(pk=job.pk).state != Job.State.RUNNING,
            timeout=900,
        )
    job.refresh_from_db()
    assert job.state == Job.State.DONE and job.attempts == 2
    assert (job.result["created"], job.result["bad_row_count"]) == (rows, 0)
    assert Initiative.objects.count() == rows
    counters_equal_a_full_recount()


def test_a_job_that_keeps_losing_its_worker_fails_with_a_message(
    country, personas, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    job = Job(kind=IMPORT_JOB_KIND, owner=personas.officer_a, options={"all_or_nothing": False})
    job.input_file.save("a.xlsx", ContentFile(workbook(country.grassroots_a.code, rows=3)))
    silent_since = timezone.now() - dt.timedelta(seconds=settings.JOB_STALE_SECONDS + 1)
    Job.objects.filter(pk=job.pk).update(
        state=Job.State.RUNNING,
        attempts=settings.JOB_MAX_ATTEMPTS,
        heartbeat_at=silent_since,
        checkpoint={"row": 2, "done": 1, "report": {"created": 1}},
    )
    assert jobs.jobs_to_sweep() == ([], [job.pk])
    run_initiative_import(job.pk)
    job.refresh_from_db()
    assert job.state == Job.State.FAILED and job.finished_at is not None
    assert job.result["error"] == jobs.MSG_JOB_INTERRUPTED.format(
        attempts=settings.JOB_MAX_ATTEMPTS,
        kept=jobs.MSG_KEPT_ROWS.format(rows=1),
    )
    assert jobs.jobs_to_sweep() == ([], [])  # never "running" for ever


def test_a_second_delivery_leaves_a_live_run_alone(country, personas, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    job = Job(kind=IMPORT_JOB_KIND, owner=personas.officer_a, options={"all_or_nothing": False})
    job.input_file.save("a.xlsx", ContentFile(workbook(country.grassroots_a.code, rows=3)))
    Job.objects.filter(pk=job.pk).update(
        state=Job.State.RUNNING, attempts=1, run_token="a" * 32, heartbeat_at=timezone.now()
    )
    assert run_initiative_import(job.pk) is None
    job.refresh_from_db()
    assert (job.state, job.attempts, job.run_token) == (Job.State.RUNNING, 1, "a" * 32)
    assert not Initiative.objects.exists()
    assert jobs.jobs_to_sweep() == ([], [])  # alive: not handed over


def _member_csv() -> bytes:
    return "full_name,phone\nPhạm Văn An,0901111222\n".encode()


def _target_csv(code: str) -> bytes:
    return f"ma_don_vi,tu_ngay,den_ngay,chi_tieu\n{code},01/01/2025,31/12/2025,40\n".encode()


def _unit_csv(parent: str) -> bytes:
    return f"code,name,parent_code,kind,members\nCD-MOI,Công đoàn mới,{parent},grassroots,12\n".encode()


IMPORT_PAGES = [
    ("initiative_import", "/sang-kien/nhap/", lambda c: {"mode": "valid"}, None),
    ("unit_import", "/don-vi/nhap/", lambda c: {"all_or_nothing": "on"}, _unit_csv),
    (
        "target_import",
        "/xep-hang/don-vi/{root}/chi-tieu/",
        lambda c: {"action": "import"},
        _target_csv,
    ),
    (
        "member_import",
        "/doan-vien/nhap/",
        lambda c: {"unit": c.grassroots_a.code},
        None,
    ),
]


@pytest.mark.parametrize(("kind", "path", "extra", "make_file"), IMPORT_PAGES)
def test_broker_down_at_upload_keeps_the_file_says_so_and_the_sweep_starts_it(
    client_for,
    personas,
    country,
    redis_down,  # noqa: F811 - the fixture imported above
    django_capture_on_commit_callbacks,
    settings,
    tmp_path,
    kind,
    path,
    extra,
    make_file,
):
    settings.MEDIA_ROOT = tmp_path
    user = personas.admin if kind in ("unit_import", "target_import") else personas.officer_a
    if kind == "initiative_import":
        upload = SimpleUploadedFile("sk.xlsx", workbook(country.grassroots_a.code, rows=2))
    elif kind == "member_import":
        upload = SimpleUploadedFile("dv.csv", _member_csv())
    elif kind == "unit_import":
        upload = SimpleUploadedFile("dv.csv", make_file(country.province_a.code))
    else:
        upload = SimpleUploadedFile("ct.csv", make_file(country.province_a.code))
    client = client_for(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            path.format(root=country.root.code), {"file": upload, **extra(country)}
        )
    job = Job.objects.get()
    assert response.status_code == 302, response.content.decode()[:2000]
    assert job.kind == kind and job.state == Job.State.QUEUED and job.enqueued_at is None
    assert job.input_file and job.input_file.size > 0  # the upload is kept
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert jobs.MSG_WAITING_FOR_QUEUE in page.content.decode()
    assert jobs.jobs_to_sweep() == ([job.pk], [])

    # While it is still down the sweep tries, fails quietly, and tries again next time.
    assert jobs.jobs_sweep() == 0
    job.refresh_from_db()
    assert job.state == Job.State.QUEUED and job.enqueued_at is None

    # The broker is back (in-process here): the next sweep starts the job.
    celery_app.conf.task_always_eager = True
    assert jobs.jobs_sweep() == 1
    job.refresh_from_db()
    assert job.state == Job.State.DONE, job.result
    assert jobs.MSG_WAITING_FOR_QUEUE not in client.get(response["Location"]).content.decode()
