"""Benchmark of the moderation queue page (issue 5): 10,000 waiting items on PostgreSQL.

Seeds a dedicated database with two provinces (A, where the reviewer sits, and B,
the same size again, so the tenancy filter has something to leave out), each with
N flagged initiatives carrying a finished SimilarityCheck and 1-3 SimilarityMatch
rows (archive or web sources), plus approved archive items and past decisions by
the reviewer (so "my figures" have rows to read). Then it signs the reviewer of A
in and times the pages server-side: the whole Django request (middleware, session,
selectors, template), in process, through the test client, no network.

    .venv/bin/python bench/review_queue.py --n 10000 \\
        --dsn postgres://postgres@127.0.0.1:5432/sangkien_bench_review

The database is created and migrated if missing; seeding is skipped when it is
already there (use --reseed to start again).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PROVINCES = {"BENCH-A": "LĐLĐ tỉnh A (benchmark)", "BENCH-B": "LĐLĐ tỉnh B (benchmark)"}
UPPERS, GRASSROOTS = 10, 30  # per province: 10 upper unions x 30 grassroots = 300 units
WORDS = str.split(
    "cải tiến quy trình cấp đông tôm lắp biến tần máy nén giảm điện năng băng tải phân loại "
    "cảm biến nhiệt độ kho lạnh cảnh báo tin nhắn tiết kiệm giờ công an toàn lao động "
    "năng suất dây chuyền bảo trì thiết bị kiểm tra chất lượng sản phẩm"
)


def create_database(dsn: str) -> None:
    import psycopg

    base, name = dsn.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")


def setup_django(dsn: str) -> None:
    os.environ["DATABASE_URL"] = dsn
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    os.environ["ALLOWED_HOSTS"] = "testserver,localhost"
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def seed(n: int, reseed: bool) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import Role, RoleAssignment, User
    from dedup.models import SimilarityCheck, SimilarityMatch
    from federation.models import OrgUnit, UnitKind
    from federation.services import unit_create
    from initiatives.models import Initiative, InitiativeEvent, ParticipantGroup, Status

    if OrgUnit.objects.filter(code="BENCH-A").exists() and not reseed:
        waiting = Initiative.objects.filter(
            unit__tree_id=OrgUnit.objects.get(code="BENCH-A").tree_id, status=Status.FLAGGED
        ).count()
        print(f"already seeded ({waiting} flagged items in the tree); --reseed to start again")
        return
    if reseed:
        with connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE dedup_similaritymatch, dedup_similaritycheck, "
                "initiatives_initiativeevent, initiatives_initiativeauthor, "
                "initiatives_historicalinitiative, initiatives_initiative, "
                "accounts_roleassignment, core_notice CASCADE"
            )
        OrgUnit.objects.filter(code__startswith="BENCH").order_by("-level").delete()

    rng = random.Random(5)
    started = time.perf_counter()
    root = OrgUnit.objects.filter(kind=UnitKind.NATIONAL).first() or unit_create(
        code="BENCH-ROOT", name="Tổng LĐLĐ (benchmark)", kind=UnitKind.NATIONAL, parent=None
    )
    grassroots: dict[str, list[OrgUnit]] = {}
    tops: dict[str, OrgUnit] = {}
    for code, name in PROVINCES.items():
        province = unit_create(code=code, name=name, kind=UnitKind.PROVINCE, parent=root)
        tops[code] = province
        grassroots[code] = []
        for u in range(UPPERS):
            upper = unit_create(
                code=f"{code}-U{u:02d}",
                name=f"CĐ cấp trên {u}",
                kind=UnitKind.UPPER,
                parent=province,
            )
            for g in range(GRASSROOTS):
                grassroots[code].append(
                    unit_create(
                        code=f"{upper.code}-G{g:02d}",
                        name=f"CĐCS {u}-{g}",
                        kind=UnitKind.GRASSROOTS,
                        parent=upper,
                    )
                )
    print(f"units: {OrgUnit.objects.count()} in {time.perf_counter() - started:.1f}s")

    reviewer, _ = User.objects.get_or_create(
        email="duyet.bench@example.vn", defaults={"full_name": "Người duyệt benchmark"}
    )
    worker, _ = User.objects.get_or_create(
        email="tacgia.bench@example.vn", defaults={"full_name": "Tác giả benchmark"}
    )
    RoleAssignment.objects.get_or_create(user=reviewer, unit=tops["BENCH-A"], role=Role.REVIEWER)

    now = timezone.now()
    for code in PROVINCES:
        t0 = time.perf_counter()
        with transaction.atomic():
            archive = Initiative.objects.bulk_create(
                Initiative(
                    title=f"Sáng kiến đã duyệt {code} {i}",
                    description=text(rng, 120),
                    participant_group=ParticipantGroup.ENTERPRISE,
                    unit=rng.choice(grassroots[code]),
                    top_unit=tops[code],
                    entered_by=worker,
                    owner=worker,
                    status=Status.APPROVED,
                    submitted_at=now - dt.timedelta(days=rng.uniform(30, 400)),
                    copied_share=0.0,
                )
                for i in range(n // 5)
            )
            SimilarityCheck.objects.bulk_create(
                SimilarityCheck(
                    initiative=a,
                    state="done",
                    checked_text=a.description,
                    flagged=False,
                    finished_at=now,
                )
                for a in archive
            )
            flagged = Initiative.objects.bulk_create(
                (
                    Initiative(
                        title=f"Sáng kiến chờ duyệt {code} {i}",
                        description=text(rng, 200),
                        participant_group=ParticipantGroup.ENTERPRISE,
                        unit=rng.choice(grassroots[code]),
                        top_unit=tops[code],
                        entered_by=worker,
                        owner=worker,
                        status=Status.FLAGGED,
                        submitted_at=now - dt.timedelta(days=rng.uniform(0, 30)),
                        copied_share=round(rng.uniform(0.05, 1.0), 3),
                        copied_source_count=rng.randint(1, 3),
                    )
                    for i in range(n)
                ),
                batch_size=2000,
            )
            checks = SimilarityCheck.objects.bulk_create(
                (
                    SimilarityCheck(
                        initiative=f,
                        state="done",
                        checked_text=f.description,
                        flagged=True,
                        finished_at=now,
                    )
                    for f in flagged
                ),
                batch_size=2000,
            )
            matches = []
            for f, check in zip(flagged, checks, strict=True):
                for _ in range(f.copied_source_count):
                    web = rng.random() < 0.3
                    source = None if web else rng.choice(archive)
                    matches.append(
                        SimilarityMatch(
                            similarity_check=check,
                            initiative=f,
                            source_id="https://example.vn/bai"
                            if web
                            else f"initiative:{source.pk}",
                            source_kind="web" if web else "initiative",
                            source_initiative=source,
                            source_url="https://example.vn/bai" if web else "",
                            source_title="Bài báo" if web else source.title,
                            flagged=True,
                            coverage=f.copied_share,
                            score=0.7,
                            passages=[{"start": 0, "end": 80, "source_start": 0, "source_end": 80}],
                        )
                    )
            SimilarityMatch.objects.bulk_create(matches, batch_size=5000)
            InitiativeEvent.objects.bulk_create(
                (
                    InitiativeEvent(
                        initiative=f,
                        transition="flag",
                        from_status="checking",
                        to_status="flagged",
                    )
                    for f in flagged
                ),
                batch_size=5000,
            )
            if code == "BENCH-A":
                # Past decisions of the reviewer, for "decided this week" and the median.
                InitiativeEvent.objects.bulk_create(
                    InitiativeEvent(
                        initiative=a,
                        transition="approve",
                        from_status="flagged",
                        to_status="approved",
                        actor=reviewer,
                    )
                    for a in archive[:1000]
                )
        print(
            f"{code}: {len(flagged)} flagged, {len(archive)} archive, {len(matches)} matches "
            f"in {time.perf_counter() - t0:.1f}s"
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# Not in the schema: what a migration in `initiatives` could add (the review app owns none).
PROPOSED_INDEX = (
    "CREATE INDEX IF NOT EXISTS review_queue_order_idx ON initiatives_initiative "
    "(copied_share DESC NULLS LAST, copied_source_count DESC, submitted_at, id) "
    "INCLUDE (unit_id, status, claimed_by_id, claimed_until) "
    "WHERE status IN ('flagged', 'valid')"
)


def set_proposed_index(enabled: bool) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(PROPOSED_INDEX if enabled else "DROP INDEX IF EXISTS review_queue_order_idx")
    # VACUUM outside a transaction: sets the visibility map so index-only scans can be used.
    connection.ensure_connection()
    previous = connection.connection.autocommit
    connection.connection.autocommit = True
    try:
        with connection.connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE initiatives_initiative")
    finally:
        connection.connection.autocommit = previous


def measure(repeat: int) -> list[tuple[str, dict]]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from accounts.tenancy import subtree_q
    from federation.models import OrgUnit
    from initiatives.models import Initiative, Status

    reviewer = User.objects.get(email="duyet.bench@example.vn")
    province = OrgUnit.objects.get(code="BENCH-A")
    waiting = Initiative.objects.filter(subtree_q([province], "unit"), status=Status.FLAGGED)
    print(f"waiting in the reviewer's subtree: {waiting.count()}")
    first = (
        waiting.order_by("-copied_share", "-copied_source_count", "submitted_at")
        .values_list("pk", flat=True)
        .first()
    )
    client = Client(HTTP_HOST="localhost")
    client.force_login(reviewer, backend="accounts.auth_backends.EmailOrPhoneBackend")
    pages = [
        ("queue, default (risk order, page 1)", "/duyet/"),
        ("queue, archive matches only", "/duyet/?kind=archive"),
        ("queue, overdue only", "/duyet/?age=overdue"),
        ("queue, sub-unit filter", f"/duyet/?unit={province.code}-U03"),
        ("queue, page 100", "/duyet/?page=100"),
        ("case page (riskiest item)", f"/duyet/{first}/"),
        ("API queue, page 1", "/api/v1/review/queue/"),
    ]
    results = []
    for name, url in pages:
        for _ in range(3):  # warm up: connection, template cache, plan cache
            assert client.get(url).status_code == 200, url
        timings = []
        for _ in range(repeat):
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        timings.sort()
        results.append(
            (
                name,
                {
                    "url": url,
                    "min": timings[0],
                    "median": statistics.median(timings),
                    "p95": timings[max(0, int(len(timings) * 0.95) - 1)],
                    "max": timings[-1],
                    "queries": len(queries),
                },
            )
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=10_000, help="flagged items per province")
    parser.add_argument("--dsn", default="postgres://postgres@127.0.0.1:5432/sangkien_bench_review")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument(
        "--priority",
        action="store_true",
        help="on a shared, busy machine: raise the CPU priority of this process and of its "
        "PostgreSQL backend (needs root), so other jobs' load does not swamp the figures",
    )
    parser.add_argument(
        "--proposed-index",
        action="store_true",
        help="measure with the partial index of PROPOSED_INDEX (dropped again without this flag)",
    )
    args = parser.parse_args()
    if not args.dsn.startswith("postgres"):
        sys.exit("this benchmark is for PostgreSQL")
    create_database(args.dsn)
    setup_django(args.dsn)
    seed(args.n, args.reseed)
    set_proposed_index(args.proposed_index)
    if args.priority:
        from priority import raise_priority  # bench/, beside this script

        raise_priority()
    print(f"proposed index: {'on' if args.proposed_index else 'off'}")
    print(
        "load average before: {:.1f} {:.1f} {:.1f} ({} cores)".format(
            *os.getloadavg(), os.cpu_count()
        )
    )
    results = measure(args.repeat)
    print("load average after: {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
    print(
        "\n| page | min ms | median ms | p95 ms | max ms | queries |\n"
        "| --- | ---: | ---: | ---: | ---: | ---: |"
    )
    for name, row in results:
        print(
            f"| {name} | {row['min']:.1f} | {row['median']:.1f} | {row['p95']:.1f} "
            f"| {row['max']:.1f} "
            f"| {row['queries']} |"
        )


if __name__ == "__main__":
    main()
