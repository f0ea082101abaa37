"""Production figures with the real processes (docs/benchmarks.md).

    .venv/bin/python bench/production.py first-request [--runs 3]
    .venv/bin/python bench/production.py check-latency [--sweep 1000] [--checks 20]
        [--layout compose|single] [--sweep-queue sweeps|checks]

first-request: gunicorn (gunicorn.conf.py, production settings) on a migrated database;
the time until the port answers and the time of the first GET / and of the first
page that renders from the database (the public library).

check-latency: the demo data, then SWEEP initiatives put back in "checking" and
queued on the sweeps queue (as the sweep does), then CHECKS user submissions queued
on the checks queue one after another; each latency is from queueing the check to
the initiative leaving "checking". Layout "compose": a worker on checks alone plus a
worker on every queue (docker-compose.yml); "single": one worker on every queue.

Needs DATABASE_URL's PostgreSQL server (a database sangkien_smoke_<pid> is created
and dropped) and REDIS_URL (that Redis database is flushed), like scripts/prod_smoke.py.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from contextlib import ExitStack
from pathlib import Path
from urllib.request import urlopen

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

from processes import Processes, wait_for  # noqa: E402
from prod_smoke import LOGS, Smoke  # noqa: E402


def first_request(runs: int) -> None:
    with ExitStack() as stack:
        smoke = Smoke(stack)
        smoke.fresh_database_and_redis()
        smoke.manage("migrate", "--noinput")
        if not (ROOT / "var" / "staticfiles" / "staticfiles.json").exists():
            smoke.manage("collectstatic", "--noinput", "-v0")
        for run in range(1, runs + 1):
            with ExitStack() as server:
                started = time.monotonic()
                web = Processes(server, smoke.env, LOGS)
                web.gunicorn()
                web.wait_listening(smoke.http_port)
                ready = time.monotonic() - started
                timings = []
                for path in ("/", "/sang-kien/thu-vien/"):
                    begin = time.monotonic()
                    with urlopen(f"{smoke.url}{path}", timeout=30) as response:
                        assert response.status == 200, (path, response.status)
                        response.read()
                    timings.append(time.monotonic() - begin)
            print(
                f"run {run}: listening {ready:.2f} s after start; first GET / "
                f"{timings[0] * 1000:.0f} ms; first GET /sang-kien/thu-vien/ "
                f"{timings[1] * 1000:.0f} ms",
                flush=True,
            )


def check_latency(sweep: int, checks: int, layout: str, sweep_queue: str) -> None:
    with ExitStack() as stack:
        smoke = Smoke(stack)
        smoke.fresh_database_and_redis()
        smoke.manage("migrate", "--noinput")
        smoke.manage(
            "seed_demo",
            DJANGO_SETTINGS_MODULE="config.settings.base",
            DEBUG="1",
            REDIS_URL="",
            CELERY_TASK_ALWAYS_EAGER="1",
        )
        smoke.manage("rebuild_similarity_index")
        os.environ.update(smoke.env)
        import django

        django.setup()
        from dedup.tasks import check_initiative
        from initiatives.models import Initiative, Status

        decided = list(
            Initiative.objects.filter(status__in=[Status.VALID, Status.APPROVED])
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        assert len(decided) >= sweep + checks, f"only {len(decided)} decided initiatives"
        swept, users = decided[:sweep], decided[sweep : sweep + checks]
        Initiative.objects.filter(pk__in=swept + users).update(status=Status.CHECKING)

        if layout == "compose":
            smoke.run.worker("worker-checks", queues="checks", node="checks@%h", concurrency=1)
            smoke.run.worker("worker", node="bulk@%h", concurrency=1)
        else:
            smoke.run.worker("worker", node="single@%h", concurrency=2)
        for pk in swept:
            check_initiative.apply_async((pk,), queue=sweep_queue)
        from config.celery import app

        wait_for("the workers", lambda: len(app.control.ping(timeout=1)) >= 1, 120)
        time.sleep(3)  # the sweep backlog is being worked on
        latencies = []
        for pk in users:
            queued = time.monotonic()
            check_initiative.delay(pk)
            wait_for(
                f"the check of {pk}",
                lambda pk=pk: (
                    Initiative.objects.filter(pk=pk).exclude(status=Status.CHECKING).exists()
                ),
                120,
                interval=0.05,
            )
            latencies.append(time.monotonic() - queued)
            time.sleep(0.5)
        with app.connection_for_write() as connection:
            left = connection.default_channel.client.llen(sweep_queue)
        latencies.sort()
        p95 = latencies[max(0, round(0.95 * len(latencies)) - 1)]
        print(
            f"layout {layout}: {sweep} sweep checks queued on {sweep_queue}, {checks} user checks: "
            f"p50 {statistics.median(latencies):.2f} s, p95 {p95:.2f} s, "
            f"max {latencies[-1]:.2f} s; {left} sweep items still queued at the end",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    first = commands.add_parser("first-request")
    first.add_argument("--runs", type=int, default=3)
    latency = commands.add_parser("check-latency")
    latency.add_argument("--sweep", type=int, default=1000)
    latency.add_argument("--checks", type=int, default=20)
    latency.add_argument("--layout", choices=["compose", "single"], default="compose")
    # "checks" puts the backlog in front of the users' checks: one queue, as before.
    latency.add_argument("--sweep-queue", choices=["sweeps", "checks"], default="sweeps")
    args = parser.parse_args()
    LOGS.mkdir(parents=True, exist_ok=True)
    if args.command == "first-request":
        first_request(args.runs)
    else:
        check_latency(args.sweep, args.checks, args.layout, args.sweep_queue)


if __name__ == "__main__":
    main()
