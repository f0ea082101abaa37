"""Server time and queries per request of a deadline rush, one client (issue 16).

Walks the requests of bench/load_users.py through Django's test client (every
middleware, the real templates, the real cache), one at a time, and prints for
each the median and p90 wall time in ms, the median CPU time of the Python
process (Django's own work, without PostgreSQL's) and the number of SQL queries.
Server time per request is what one core spends on it; it is far less sensitive
to other load on the machine than requests/s under locust, and the CPU time even
less.

Needs the served database with the demo data and the bench accounts
(`bench/load.py prepare`), and REDIS_URL for the cache as in production:

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/sangkien_load REDIS_URL=redis://127.0.0.1:6379/9
    .venv/bin/python bench/profile_requests.py --rounds 20

Writes drafts, submissions and decisions into that database like the load run.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
# Production's request path without its HTTPS redirect: the test client speaks plain HTTP.
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument(
        "--profile",
        default="",
        help="comma-separated request names to run under cProfile (e.g. 'submit,edit form')",
    )
    parser.add_argument("--top", type=int, default=30, help="functions shown per profile")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from load import PASSWORD
    from load_forms import fill_initiative_form, read_form

    timings: dict[str, list[float]] = defaultdict(list)
    cpu: dict[str, list[float]] = defaultdict(list)
    queries: dict[str, list[int]] = defaultdict(list)
    profiled = {name.strip() for name in args.profile.split(",") if name.strip()}
    profiles: dict[str, cProfile.Profile] = {}

    pg_cpu: dict[str, list[float]] = defaultdict(list)

    def backend_cpu_ns() -> tuple[int, int] | None:
        """The PostgreSQL backend of this connection and its CPU time so far (schedstat)."""
        connection.ensure_connection()
        pid = connection.connection.info.backend_pid
        try:
            with open(f"/proc/{pid}/schedstat") as handle:
                return pid, int(handle.read().split()[0])
        except OSError:  # PostgreSQL on another machine: not measured
            return None

    def call(client, name, method, url, data=None, expect=(200, 302, 304)):
        profiler = profiles.setdefault(name, cProfile.Profile()) if name in profiled else None
        with CaptureQueriesContext(connection) as captured:
            pg_before = backend_cpu_ns()
            began, began_cpu = time.perf_counter(), time.process_time()
            if profiler:
                profiler.enable()
            response = getattr(client, method)(url, data=data or {})
            if profiler:
                profiler.disable()
            timings[name].append((time.perf_counter() - began) * 1000)
            cpu[name].append((time.process_time() - began_cpu) * 1000)
            pg_after = backend_cpu_ns()
            if pg_before and pg_after and pg_before[0] == pg_after[0]:
                pg_cpu[name].append((pg_after[1] - pg_before[1]) / 1e6)
        queries[name].append(len(captured.captured_queries))
        if response.status_code not in expect:
            raise SystemExit(f"{name}: {url} answered {response.status_code}")
        return response

    # One client per person, made once: each Client builds the middleware chain anew
    # (WhiteNoise then scans every static file), which a server does once per process.
    anonymous, worker, reviewer = Client(), Client(), Client()
    for number in range(args.rounds):
        call(anonymous, "home (anonymous)", "get", "/")
        call(anonymous, "library", "get", "/sang-kien/thu-vien/")
        call(anonymous, "library search", "get", "/sang-kien/thu-vien/?q=tiet+kiem+dien")
        call(anonymous, "leaderboard", "get", "/xep-hang/")

        worker.cookies.clear()  # a new visitor: no session yet
        page = call(worker, "login page", "get", "/tai-khoan/dang-nhap/")
        fields, _ = read_form(page.content.decode(), r"^$|dang-nhap")
        fields.update(username=f"bench.worker{number}@bench.vn", password=PASSWORD)
        call(worker, "login", "post", "/tai-khoan/dang-nhap/", fields, expect=(302,))
        call(worker, "home (worker)", "get", "/")
        call(worker, "my initiatives", "get", "/sang-kien/cua-toi/")
        page = call(worker, "new initiative form", "get", "/sang-kien/moi/")
        fields, kinds = read_form(page.content.decode(), r"/sang-kien/moi/")
        data = fill_initiative_form(fields, kinds) | {"action": "draft"}
        saved = call(worker, "save draft", "post", "/sang-kien/moi/", data, expect=(302,))
        edit_url = re.search(r"/sang-kien/\d+/sua/", saved["Location"]).group(0)
        page = call(worker, "edit form", "get", edit_url)
        fields, kinds = read_form(page.content.decode(), r"/sang-kien/\d+/sua/")
        data = fill_initiative_form(fields, kinds) | {"action": "submit"}
        call(worker, "submit", "post", edit_url, data, expect=(302,))

        reviewer.force_login(
            __import__("accounts.models", fromlist=["User"]).User.objects.get(
                email=f"bench.reviewer{number % 20}@bench.vn"
            )
        )
        call(reviewer, "home (reviewer)", "get", "/")
        queue = call(reviewer, "review queue", "get", "/duyet/")
        cases = re.findall(r'href="/duyet/(\d+)/"', queue.content.decode())
        if cases:
            pk = cases[-1]
            call(reviewer, "claim", "post", f"/duyet/{pk}/nhan/", {})
            page = call(reviewer, "review case", "get", f"/duyet/{pk}/")
            fields, _ = read_form(page.content.decode(), rf"/duyet/{pk}/quyet-dinh/")
            fields.update(decision="approve", reason="")
            call(reviewer, "decide", "post", f"/duyet/{pk}/quyet-dinh/", fields)

    # "cpu ms": this process (Django, the test client, psycopg); "pg cpu ms": the
    # PostgreSQL backend serving it (from /proc/<pid>/schedstat), both medians.
    print(
        f"{'request':<22}{'n':>4}{'median ms':>11}{'p90 ms':>8}{'cpu ms':>8}{'pg cpu ms':>10}"
        f"{'queries':>9}"
    )
    for name, values in timings.items():
        ordered = sorted(values)
        counts = queries[name]
        pg = f"{statistics.median(pg_cpu[name]):>10.1f}" if pg_cpu[name] else f"{'-':>10}"
        print(
            f"{name:<22}{len(values):>4}{statistics.median(values):>11.1f}"
            f"{ordered[int(0.9 * (len(ordered) - 1))]:>8.1f}"
            f"{statistics.median(cpu[name]):>8.1f}{pg}"
            f"{statistics.median(counts):>9.0f}"
        )
    for name, profiler in profiles.items():
        # Profiled rounds run slower: their CPU figures above include cProfile's cost.
        print(f"\n### cProfile: {name}, {len(timings[name])} requests, by own time")
        pstats.Stats(profiler).sort_stats("tottime").print_stats(args.top)
        print(f"### cProfile: {name}, by cumulative time")
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.top)


if __name__ == "__main__":
    main()
