"""A deadline rush on loopback: locust, headless, bounded (issue 16).

Runs the people of bench/load_users.py (anonymous visitors, workers who sign in,
save a draft and submit, reviewers who decide) against a portal already served on
127.0.0.1 (gunicorn with production settings, PostgreSQL, Redis, a real worker),
at each requested number of concurrent users, and prints per endpoint: requests,
failures, p50/p95/p99 and requests/s, then the load average and the
submit-to-verdict time that the real worker achieved (from the workflow events).

Needs locust (`.venv/bin/pip install -r requirements/bench.lock`, or in a virtualenv of
its own named by LOCUST=/path/to/bin/locust) and the demo data of `seed_demo` in the
served database. First create the bench accounts in that database, then run:

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/sangkien_load REDIS_URL=redis://127.0.0.1:6379/9
    .venv/bin/python bench/load.py prepare
    .venv/bin/python bench/load.py run --host http://127.0.0.1:8000 --users 200 --run-time 180
    # or let it start gunicorn and a worker on those databases itself, as compose does:
    .venv/bin/python bench/load.py run --serve --users 200 --run-time 180

The people click 1-3 s apart (--think), write in the initiative form for 20-60 s
before each post and read a case's evidence as long before deciding (--work), and
arrive 4 per second (--spawn-rate: 200 people online in sessions of ten minutes or
so turn over at about one every 3 s; 4 per second is a burst). `--work 0,0` posts
every form 1-3 s after its page: a new initiative from every worker every few
seconds, far beyond what two cores can serve (docs/benchmarks.md, "fourth pass").
Only loopback hosts are accepted; each run stops by itself after --run-time.
`--only AnonymousVisitor --think 0,0` measures how many cached public pages the
server answers per second.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import ipaddress
import os
import statistics
import subprocess
import sys
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

PASSWORD = os.environ.get("LOAD_PASSWORD", "bench-matkhau-2026")
WORKER_UNIT = "LDLD92-U01-G01"  # the demo's grassroots union in Cần Thơ
REVIEWER_UNIT = "LDLD92"


def _django():
    import django

    django.setup()


def prepare(workers: int, reviewers: int) -> None:
    """Bench accounts: workers in one grassroots union, reviewers at its province."""
    _django()
    from django.contrib.auth.hashers import make_password

    from accounts.models import Role, RoleAssignment, User
    from federation.models import OrgUnit

    password = make_password(PASSWORD)  # one hash for all: the bench measures logins, not setup
    grassroots = OrgUnit.objects.get(code=WORKER_UNIT)
    province = OrgUnit.objects.get(code=REVIEWER_UNIT)
    # Every handed-in initiative of the province waits for a reviewer, so reviewers
    # always have cases to open and decide.
    province.review_everything = True
    province.save(update_fields=["review_everything"])
    for kind, count, role, unit in (
        ("worker", workers, Role.MEMBER, grassroots),
        ("reviewer", reviewers, Role.REVIEWER, province),
    ):
        for number in range(count):
            user, _ = User.objects.get_or_create(
                email=f"bench.{kind}{number}@bench.vn",
                defaults={"full_name": f"Người thử tải {kind} {number}", "password": password},
            )
            RoleAssignment.objects.get_or_create(user=user, unit=unit, role=role)
    print(f"{workers} workers in {WORKER_UNIT}, {reviewers} reviewers at {REVIEWER_UNIT}")


def _loopback_only(host: str) -> None:
    hostname = urlsplit(host).hostname or ""
    try:
        loopback = hostname == "localhost" or ipaddress.ip_address(hostname).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        sys.exit(f"refused: {host} is not a loopback address")


def _read_stats(prefix: Path) -> list[dict]:
    with open(f"{prefix}_stats.csv", newline="") as handle:
        return list(csv.DictReader(handle))


def _submit_to_verdict(since: dt.datetime) -> list[float]:
    """Seconds from each bench submission to the worker's verdict (passed or flagged)."""
    from initiatives.models import InitiativeEvent, Status

    submitted = dict(
        InitiativeEvent.objects.filter(
            created_at__gte=since,
            to_status=Status.CHECKING,
            initiative__owner__email__startswith="bench.worker",
        ).values_list("initiative_id", "created_at")
    )
    verdicts = InitiativeEvent.objects.filter(
        initiative_id__in=submitted,
        from_status=Status.CHECKING,
        to_status__in=[Status.VALID, Status.FLAGGED],
    ).values_list("initiative_id", "created_at")
    return sorted(
        (created - submitted[pk]).total_seconds()
        for pk, created in verdicts
        if created >= submitted[pk]
    )


def _percentile(values: list[float], share: float) -> float:
    return sorted(values)[min(len(values) - 1, int(share * len(values)))] if values else 0.0


@contextmanager
def served(workers: str = ""):
    """gunicorn (gunicorn.conf.py, production settings) and one worker on every queue,
    on DATABASE_URL and REDIS_URL, as compose runs them (scripts/processes.py); yields
    the URL, stops both on the way out."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from processes import Processes, free_port, production_env

    port = free_port()
    env = production_env(
        database_url=os.environ["DATABASE_URL"], redis_url=os.environ["REDIS_URL"], http_port=port
    )
    if workers:
        env["GUNICORN_WORKERS"] = workers
    env["GUNICORN_LOG_LEVEL"] = "warning"
    env["GUNICORN_ACCESSLOG"] = ""
    if not (ROOT / "var" / "staticfiles" / "staticfiles.json").exists():
        # The production pages name their static files through the manifest.
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
    with ExitStack() as stack:
        processes = Processes(stack, env, ROOT / "var" / "bench" / "load" / "logs")
        processes.gunicorn()
        processes.worker(concurrency=2, loglevel="warning")
        processes.wait_listening(port)
        yield f"http://127.0.0.1:{port}"


def run(
    host: str,
    users: list[int],
    run_time: int,
    out: Path,
    *,
    user_classes: list[str] = (),
    think: str = "1,3",
    work: str = "20,60",
    spawn_rate: float = 4,
    locust: Path | None = None,
) -> None:
    _loopback_only(host)
    _django()
    out.mkdir(parents=True, exist_ok=True)
    # locust may live in a virtualenv of its own (LOCUST=/path/to/bin/locust): it patches
    # the standard library with gevent and pins its own versions.
    locust = locust or Path(os.environ.get("LOCUST") or Path(sys.executable).with_name("locust"))
    for count in users:
        prefix = out / f"load-{count}"
        started = dt.datetime.now(dt.UTC)
        began = time.monotonic()
        subprocess.run(
            [
                str(locust),
                "-f",
                str(ROOT / "bench" / "load_users.py"),
                "--headless",
                "--host",
                host,
                "--users",
                str(count),
                "--spawn-rate",
                str(spawn_rate),
                "--run-time",
                f"{run_time}s",
                "--stop-timeout",
                "10",
                "--csv",
                str(prefix),
                "--only-summary",
                "--loglevel",
                "WARNING",
                *user_classes,
            ],
            check=False,
            timeout=run_time + 120,
            env={
                **os.environ,
                "LOAD_PASSWORD": PASSWORD,
                "LOAD_THINK_SECONDS": think,
                "LOAD_WORK_SECONDS": work,
            },
        )
        elapsed = time.monotonic() - began
        load1, load5, _ = os.getloadavg()
        time.sleep(5)  # let the worker finish the last checks before reading verdicts
        verdicts = _submit_to_verdict(started)
        print(
            f"\n### {count} users, {run_time} s, think {think} s, work {work} s, "
            f"load average {load1:.2f} / {load5:.2f}"
        )
        print(
            f"{'endpoint':<22}{'requests':>9}{'failures':>9}{'p50 ms':>8}{'p95 ms':>8}"
            f"{'p99 ms':>8}{'req/s':>8}"
        )
        for row in _read_stats(prefix):
            print(
                f"{row['Name'][:22]:<22}{row['Request Count']:>9}{row['Failure Count']:>9}"
                f"{row['50%']:>8}{row['95%']:>8}{row['99%']:>8}"
                f"{float(row['Requests/s']):>8.1f}"
            )
        if verdicts:
            print(
                f"submit-to-verdict: {len(verdicts)} checks, median "
                f"{statistics.median(verdicts):.2f} s, p95 {_percentile(verdicts, 0.95):.2f} s, "
                f"max {verdicts[-1]:.2f} s"
            )
        else:
            print("submit-to-verdict: no verdict recorded during the run")
        print(f"wall time {elapsed:.0f} s; CSV in {prefix}_stats.csv")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("prepare", help="create the bench accounts")
    make.add_argument("--workers", type=int, default=200)
    make.add_argument("--reviewers", type=int, default=20)
    go = commands.add_parser("run", help="run the mixes")
    go.add_argument("--host", default="http://127.0.0.1:8000")
    go.add_argument("--users", default="50,100,200")
    go.add_argument("--run-time", type=int, default=180, help="seconds per user count")
    go.add_argument("--out", type=Path, default=ROOT / "var" / "bench" / "load")
    go.add_argument(
        "--only",
        default="",
        help="comma-separated user classes of load_users.py (default: the whole mix)",
    )
    go.add_argument("--think", default="1,3", help="think time in seconds, min,max")
    go.add_argument(
        "--spawn-rate",
        type=float,
        default=4,
        help="people who arrive per second (each signs in as it arrives)",
    )
    go.add_argument(
        "--work",
        default="20,60",
        help="seconds spent on a form or a case before posting it, min,max (0,0: none)",
    )
    go.add_argument(
        "--serve",
        action="store_true",
        help="start gunicorn and a worker on DATABASE_URL/REDIS_URL first (ignores --host)",
    )
    go.add_argument("--gunicorn-workers", default="", help="with --serve: GUNICORN_WORKERS")
    args = parser.parse_args()
    if args.command == "prepare":
        prepare(args.workers, args.reviewers)
        return
    with ExitStack() as stack:
        host = stack.enter_context(served(args.gunicorn_workers)) if args.serve else args.host
        run(
            host,
            [int(n) for n in args.users.split(",")],
            args.run_time,
            args.out,
            user_classes=[name for name in args.only.split(",") if name],
            think=args.think,
            work=args.work,
            spawn_rate=args.spawn_rate,
        )


if __name__ == "__main__":
    main()
