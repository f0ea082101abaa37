"""A real Celery worker process for the tests: `celery -A config worker` on Redis,
consuming the real queues, against the database the test names (pytest's test_...
database, never the one in DATABASE_URL)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOGS = ROOT / "var" / "test-artifacts"


@dataclass
class RunningWorker:
    name: str
    process: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def redis_reachable(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


def database_url(settings_dict: dict) -> str:
    """The URL of the database Django is connected to (in a test: pytest's test_...)."""
    user = settings_dict["USER"] or "postgres"
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    host = settings_dict["HOST"] or "127.0.0.1"
    port = settings_dict["PORT"] or 5432
    return f"postgres://{user}{password}@{host}:{port}/{settings_dict['NAME']}"


def purge_queues(app) -> None:
    """Drop messages an earlier, interrupted run left in the queues."""
    with app.connection_for_write() as connection:
        channel = connection.default_channel
        for queue in app.conf.task_queues:
            queue.bind(channel).purge()


def wait_until_idle(app, name: str, timeout: float = 120) -> None:
    """Wait until the worker runs no task and holds none in reserve (after a purge, so
    that a test's database flush never races a task still writing). A solo-pool worker
    answers control commands only between tasks, so an answer means it is between two."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        inspect = app.control.inspect(destination=[name], timeout=1)
        active = inspect.active()
        reserved = inspect.reserved()
        answered = active is not None and reserved is not None
        if answered and not active.get(name) and not reserved.get(name):
            return
        time.sleep(0.2)
    raise RuntimeError(f"the Celery worker {name} was still busy after {timeout:.0f} s")


@contextmanager
def celery_worker(
    app,
    *,
    database_url: str,
    redis_url: str,
    queues: list[str] | None = None,
    extra_env: dict[str, str] | None = None,
    ready_timeout=90,
) -> Iterator[RunningWorker]:
    """Start a worker (all queues unless `queues`), wait until it answers a ping, and stop
    it afterwards. Its log is kept under var/test-artifacts/."""
    name = f"test-{uuid.uuid4().hex[:8]}@127.0.0.1"
    LOGS.mkdir(parents=True, exist_ok=True)
    log_path = LOGS / f"celery-{name.split('@')[0]}.log"
    # Not PYTEST_XDIST_WORKER: the Redis database named here is this process's already.
    inherited = {k: v for k, v in os.environ.items() if k != "PYTEST_XDIST_WORKER"}
    env = {
        **inherited,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CELERY_TASK_ALWAYS_EAGER": "False",
        **(extra_env or {}),
    }
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "-n", name]
    command += ["--pool", "solo", "-l", "info", "--without-heartbeat", "--without-mingle"]
    command += ["--without-gossip"]
    if queues:
        command += ["-Q", ",".join(queues)]
    with log_path.open("w") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    worker = RunningWorker(name=name, process=process, log_path=log_path)
    try:
        deadline = time.monotonic() + ready_timeout
        while not app.control.ping(destination=[name], timeout=1):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the Celery worker did not start:\n{worker.log()[-3000:]}")
        yield worker
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
