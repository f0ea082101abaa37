"""Benchmark of rankings, targets and weekly reports (issue 6).

Seeds a dedicated PostgreSQL database with the national structure (63 → 34
provinces, sector and corporation unions, clusters, blocks), 100,000 more units
(upper and grassroots unions under today's top-level units) and 2,000,000
initiatives from 2022 to today (COPY, not the ORM; initiatives handed in before
1 July 2025 keep the old province as `top_unit`), rebuilds the counters
(`tally_rebuild`), then measures, server side (Django test client in-process,
so the figure is the request's time inside Django plus the database, no network):

- p50/p95 of the ranking pages and API for several periods, filters and modes;
- the weekly snapshot plus the weekly reports (XLSX + PDF, emailed to a
  locmem backend) of the 34 provinces.

    .venv/bin/python bench/ranking_pages.py                      # seed (if needed) and measure
    .venv/bin/python bench/ranking_pages.py --reseed             # drop the database and seed again
    .venv/bin/python bench/ranking_pages.py --priority           # measure at nice -15 on a busy machine
    .venv/bin/python bench/ranking_pages.py --initiatives 200000 --units 10000   # smaller run

The database is `sangkien_bench_rankings` on 127.0.0.1 unless --dsn says otherwise.
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

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

MERGER = dt.date(2025, 7, 1)
DEFAULT_DSN = "postgres://postgres@127.0.0.1:5432/sangkien_bench_rankings"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dsn", default=DEFAULT_DSN)
    parser.add_argument("--initiatives", type=int, default=2_000_000)
    parser.add_argument("--units", type=int, default=100_000)
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--repeat", type=int, default=40, help="requests per endpoint")
    parser.add_argument("--seed", type=int, default=20251)
    parser.add_argument(
        "--priority",
        action="store_true",
        help="on a shared, busy machine: measure at nice -15 (this process and its "
        "PostgreSQL backend), so the figures are the server's, not the neighbours'",
    )
    return parser.parse_args()


def ensure_database(dsn: str, reseed: bool) -> bool:
    """Create the database if missing; returns True when it is new (needs seeding)."""
    import psycopg

    base, name = dsn.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and reseed:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
            return True
    return False


def setup_django(dsn: str) -> None:
    os.environ["DATABASE_URL"] = dsn
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    settings.DEBUG = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MEDIA_ROOT = str(REPO / "var" / "bench" / "rankings-media")


# --------------------------------------------------------------------------- seeding


def seed_units(total: int, rng: random.Random) -> None:
    """Add `total` units under today's top-level units and renumber the MPTT tree in one pass."""
    from django.db import connection

    from federation.models import OrgUnit, UnitPlacement

    units = list(OrgUnit.objects.values("id", "parent_id", "code", "level", "tree_id", "active_to"))
    root = next(u for u in units if u["parent_id"] is None)
    tops = [u for u in units if u["level"] == 1 and u["active_to"] is None]
    uppers_per_top = max(1, total // (len(tops) * 50))
    grassroots_per_upper = max(
        1, (total - uppers_per_top * len(tops)) // (uppers_per_top * len(tops))
    )
    next_id = max(u["id"] for u in units) + 1
    children: dict[int, list[dict]] = {}
    for unit in units:
        children.setdefault(unit["parent_id"], []).append(unit)
    new_units = []
    created = 0
    sources: dict[int, list[int]] = {}
    for old_id, new_id in OrgUnit.objects.filter(level=1, merged_into__isnull=False).values_list(
        "id", "merged_into_id"
    ):
        sources.setdefault(new_id, []).append(old_id)
    for top in tops:
        for i in range(uppers_per_top):
            upper = {
                "id": next_id,
                "parent_id": top["id"],
                "code": f"{top['code']}-U{i:03d}",
                "name": f"Công đoàn cấp trên {top['code']} số {i + 1}",
                "kind": "upper",
                "members": 0,
                # Before the merger each upper union belonged to one of the merged provinces.
                "was_under": sources[top["id"]][i % len(sources[top["id"]])]
                if top["id"] in sources
                else None,
            }
            next_id += 1
            new_units.append(upper)
            children.setdefault(top["id"], []).append(upper)
            created += 1
            for j in range(grassroots_per_upper):
                if created >= total:
                    break
                grassroots = {
                    "id": next_id,
                    "parent_id": upper["id"],
                    "code": f"{top['code']}-U{i:03d}-G{j:03d}",
                    "name": f"Công đoàn cơ sở {top['code']} {i + 1}.{j + 1}",
                    "kind": "grassroots",
                    "members": rng.randint(20, 900),
                }
                next_id += 1
                created += 1
                new_units.append(grassroots)
                children.setdefault(upper["id"], []).append(grassroots)
    # Renumber lft/rght depth-first (iteratively: the tree is deep enough for recursion to be slow).
    numbers: dict[int, tuple[int, int, int]] = {}
    counter = 1
    stack = [(root, 0, False)]
    while stack:
        node, level, done = stack.pop()
        if done:
            lft, _r, lvl = numbers[node["id"]]
            numbers[node["id"]] = (lft, counter, lvl)
            counter += 1
            continue
        numbers[node["id"]] = (counter, 0, level)
        counter += 1
        stack.append((node, level, True))
        for child in sorted(children.get(node["id"], []), key=lambda c: c["code"], reverse=True):
            stack.append((child, level + 1, False))
    tree_id = root["tree_id"]
    table = OrgUnit._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE renumber (id bigint, lft int, rght int)")
        with cursor.copy("COPY renumber (id, lft, rght) FROM STDIN") as copy:
            for unit in units:
                lft, rght, _lvl = numbers[unit["id"]]
                copy.write_row((unit["id"], lft, rght))
        cursor.execute(
            f"UPDATE {table} u SET lft = r.lft, rght = r.rght FROM renumber r WHERE u.id = r.id"
        )
        columns = [
            "id", "code", "name", "short_name", "kind", "parent_id", "member_count",
            "official_code", "review_everything", "review_time_limit_days", "lft", "rght",
            "tree_id", "level",
        ]  # fmt: skip
        extra = [
            f.column
            for f in OrgUnit._meta.concrete_fields
            if f.column not in columns and not f.null and f.column != "id"
        ]
        if extra:
            raise SystemExit(f"OrgUnit has new required columns the bench does not fill: {extra}")
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for unit in new_units:
                lft, rght, level = numbers[unit["id"]]
                copy.write_row(
                    (
                        unit["id"], unit["code"], unit["name"], "", unit["kind"],
                        unit["parent_id"], unit["members"], "", False, 7, lft, rght,
                        tree_id, level,
                    )
                )  # fmt: skip
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {next_id})")
        # Placement history: uppers of a merged province sat under the old one until the merger.
        placements = UnitPlacement._meta.db_table
        with cursor.copy(
            f"COPY {placements} (unit_id, parent_id, valid_from, valid_to) FROM STDIN"
        ) as copy:
            for unit in new_units:
                if unit.get("was_under"):
                    copy.write_row((unit["id"], unit["was_under"], None, MERGER))
                    copy.write_row((unit["id"], unit["parent_id"], MERGER, None))
                else:
                    copy.write_row((unit["id"], unit["parent_id"], None, None))
        # Top-level member counts: the sum of their grassroots unions.
        cursor.execute(
            f"UPDATE {table} t SET member_count = s.members FROM ("
            f"SELECT top.id, SUM(g.member_count) AS members FROM {table} top "
            f"JOIN {table} g ON g.tree_id = top.tree_id AND g.lft > top.lft AND g.rght < top.rght "
            f"WHERE top.level = 1 AND g.kind = 'grassroots' GROUP BY top.id) s WHERE t.id = s.id"
        )
    print(
        f"  units: +{len(new_units):,} ({uppers_per_top} upper × {grassroots_per_upper} grassroots per top-level unit)"
    )


def seed_initiatives(total: int, rng: random.Random) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection

    from federation.models import OrgUnit
    from initiatives.models import Field, Initiative

    user = get_user_model().objects.create_user(
        email="bench@example.vn", password="bench-Only-123", full_name="Bench"
    )
    fields = [
        Field.objects.get_or_create(code=f"bench-{i}", defaults={"name": name})[0].pk
        for i, name in enumerate(
            ["Cơ khí", "Điện", "Y tế", "Giáo dục", "Nông nghiệp", "Thủy sản", "Xây dựng",
             "Giao thông", "Tài chính", "Hành chính", "Công nghệ thông tin", "Môi trường"]
        )
    ]  # fmt: skip
    merger = dt.date(2025, 7, 1)
    tops = {
        u.pk: u
        for u in OrgUnit.objects.filter(level=1).only("id", "tree_id", "lft", "rght", "code")
    }
    sources: dict[int, list[int]] = {}
    for old_id, new_id in OrgUnit.objects.filter(level=1, merged_into__isnull=False).values_list(
        "id", "merged_into_id"
    ):
        sources.setdefault(new_id, []).append(old_id)
    grassroots = list(
        OrgUnit.objects.filter(kind="grassroots", level__gte=2).values_list("id", "tree_id", "lft")
    )
    parent_of = dict(
        OrgUnit.objects.filter(kind="grassroots", level__gte=2).values_list("id", "parent_id")
    )
    from federation.models import UnitPlacement

    was_under = dict(
        UnitPlacement.objects.filter(valid_to=dt.date(2025, 7, 1)).values_list(
            "unit_id", "parent_id"
        )
    )
    # Which top-level unit each grassroots union sits under today.
    ranges = sorted((t.lft, t.rght, t.pk) for t in tops.values() if t.pk not in ())
    import bisect

    starts = [r[0] for r in ranges]
    top_of = {}
    for gid, _tree, lft in grassroots:
        position = bisect.bisect_right(starts, lft) - 1
        top_of[gid] = ranges[position][2]
    # Some provinces hand in far more than others: a weight per top-level unit.
    weight_of_top = {top_id: rng.uniform(0.3, 3.0) for top_id in tops}
    weights = [weight_of_top[top_of[gid]] for gid, *_ in grassroots]
    start = dt.date(2022, 1, 1)
    days = (dt.date.today() - start).days
    statuses = (
        ["valid"] * 55 + ["approved"] * 15 + ["recognised"] * 3 + ["checking"] * 8
        + ["flagged"] * 7 + ["returned"] * 3 + ["submitted"] * 2 + ["rejected"] * 7
    )  # fmt: skip
    groups = ["enterprise"] * 5 + ["public_service"] * 2 + ["officials", "projects"]
    provided = {
        "title", "summary", "field_id", "benefit_vnd", "participant_group", "unit_id",
        "top_unit_id", "entered_by_id", "status", "submitted_at", "decided_at", "created_at",
        "updated_at", "search_text", "copied_source_count", "is_confidential",
    }  # fmt: skip
    defaults = {}
    for f in Initiative._meta.concrete_fields:
        if f.column in provided or f.primary_key:
            continue
        if f.null:
            defaults[f.column] = None
        elif f.has_default():
            value = f.get_default()
            defaults[f.column] = value
        else:
            defaults[f.column] = ""
    columns = sorted(provided) + list(defaults)
    table = Initiative._meta.db_table
    tz = dt.timezone(dt.timedelta(hours=7))
    chosen = rng.choices(range(len(grassroots)), weights=weights, k=total)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")  # no FK triggers during the load
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for n, index in enumerate(chosen):
                gid = grassroots[index][0]
                # Growth over time: later days are likelier (the programme picked up).
                day = start + dt.timedelta(days=int(days * (rng.random() ** 0.7)))
                submitted = dt.datetime.combine(
                    day, dt.time(rng.randint(7, 21), rng.randint(0, 59)), tz
                )
                top_now = top_of[gid]
                top_then = top_now
                if day < merger and top_now in sources:
                    top_then = was_under.get(parent_of[gid]) or rng.choice(sources[top_now])
                status = rng.choice(statuses)
                row = {
                    "title": f"Sáng kiến số {n}",
                    "summary": "",
                    "field_id": rng.choice(fields),
                    "benefit_vnd": rng.randint(0, 500) * 1_000_000,
                    "participant_group": rng.choice(groups),
                    "unit_id": gid,
                    "top_unit_id": top_then,
                    "entered_by_id": user.pk,
                    "status": status,
                    "submitted_at": submitted,
                    "decided_at": submitted if status in ("approved", "rejected") else None,
                    "created_at": submitted,
                    "updated_at": submitted,
                    "search_text": "",
                    "copied_source_count": 0,
                    "is_confidential": False,
                }
                copy.write_row([row[c] if c in row else defaults[c] for c in columns])
                if n and n % 500_000 == 0:
                    print(f"  initiatives: {n:,} ({time.perf_counter() - started:.0f} s)")
        cursor.execute("SET session_replication_role = origin")
    print(f"  initiatives: {total:,} in {time.perf_counter() - started:.0f} s")


def seed_targets(rng: random.Random) -> None:
    """Yearly targets for today's top-level units and their upper unions (this year)."""
    from federation.models import OrgUnit
    from rankings.models import Target

    year = dt.date.today().year
    rows = []
    for unit in OrgUnit.objects.filter(level__in=(1, 2), active_to__isnull=True).only(
        "id", "level"
    ):
        count = rng.randint(4_000, 16_000) if unit.level == 1 else rng.randint(80, 400)
        rows.append(
            Target(
                unit_id=unit.pk,
                starts_on=dt.date(year, 1, 1),
                ends_on=dt.date(year, 12, 31),
                count=count,
            )
        )
    Target.objects.bulk_create(rows, batch_size=5000)
    print(f"  targets: {len(rows):,}")


def seed(args) -> None:
    from django.core.management import call_command
    from django.db import connection

    from rankings import services

    rng = random.Random(args.seed)
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("load_national_structure", verbosity=0)
    print(f"  migrate + national structure: {time.perf_counter() - t0:.0f} s")
    seed_units(args.units, rng)
    seed_initiatives(args.initiatives, rng)
    seed_targets(rng)
    t1 = time.perf_counter()
    counted = services.tally_rebuild()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"  counters rebuilt from {counted:,} initiatives in {time.perf_counter() - t1:.0f} s")
    last_week = dt.date.today() - dt.timedelta(days=7)
    services.ranking_snapshot_take(week=last_week - dt.timedelta(days=7))
    services.ranking_snapshot_take(week=last_week)
    print(f"  seeded in {time.perf_counter() - t0:.0f} s")


# --------------------------------------------------------------------------- measuring


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    low = int(k)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def measure(args) -> None:
    from django.db import connection
    from django.test import Client

    from accounts.models import Role, RoleAssignment, User
    from federation.models import OrgUnit
    from initiatives.models import Field
    from rankings import services
    from rankings.models import DailyTally, WeeklyTally

    root = OrgUnit.objects.get(level=0)
    leader, _ = User.objects.get_or_create(
        email="lanhdao.bench@example.vn", defaults={"full_name": "Lãnh đạo"}
    )
    RoleAssignment.objects.get_or_create(user=leader, unit=root, role=Role.LEADERSHIP)
    client = Client()
    client.force_login(leader, backend="accounts.auth_backends.EmailOrPhoneBackend")
    anonymous = Client()
    province = OrgUnit.objects.get(short_name="Cần Thơ", active_to__isnull=True)
    upper = province.get_children().first()
    old_province = OrgUnit.objects.get(short_name="Hậu Giang")
    field_id = Field.objects.filter(code="bench-3").values_list("pk", flat=True).first()
    today = dt.date.today()
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM initiatives_initiative")
        n_initiatives = cursor.fetchone()[0]
    n_units = OrgUnit.objects.count()
    print(
        f"\nData: {n_initiatives:,} initiatives, {n_units:,} units, "
        f"{DailyTally.objects.count():,} daily and {WeeklyTally.objects.count():,} weekly counter rows"
    )
    cases = [
        ("leaderboard, programme to date (public)", anonymous, "/xep-hang/"),
        ("leaderboard, this year", anonymous, f"/xep-hang/?period=year&year={today.year}"),
        ("leaderboard, a quarter", anonymous, "/xep-hang/?period=quarter&year=2025&quarter=3"),
        ("leaderboard, a week", anonymous, f"/xep-hang/?period=week&week={today - dt.timedelta(days=7)}"),
        ("leaderboard, date range 2023-03-15..2025-08-20", anonymous,
         "/xep-hang/?period=range&start=2023-03-15&end=2025-08-20"),
        ("leaderboard, cluster, as at the time", anonymous,
         "/xep-hang/?group=CUM-DBSCL&mode=historic&period=year&year=2024"),
        ("leaderboard, per 1,000 members, one field", anonymous,
         f"/xep-hang/?measure=per_1000&field={field_id}"),
        ("leaderboard, group + field, a range", anonymous,
         f"/xep-hang/?participant_group=enterprise&field={field_id}&period=range&start=2025-01-10&end=2025-03-20"),
        ("leaderboard CSV export", anonymous, "/xep-hang/?format=csv"),
        ("dashboard (leadership), this year", client, "/xep-hang/bang-dieu-khien/"),
        ("drill-down: province → its upper unions, programme", client, f"/xep-hang/don-vi/{province.code}/"),
        ("drill-down: upper union → grassroots, this year", client,
         f"/xep-hang/don-vi/{upper.code}/?period=year&year={today.year}"),
        ("drill-down: merged province, as at the time", client,
         f"/xep-hang/don-vi/{old_province.code}/?mode=historic"),
        ("progress (lagging/leading), national", client, f"/xep-hang/don-vi/{root.code}/tien-do/"),
        ("progress, province", client, f"/xep-hang/don-vi/{province.code}/tien-do/"),
        ("API rankings, programme", anonymous, "/api/v1/rankings/"),
        ("API rankings, sector unions, valid, a range", anonymous,
         "/api/v1/rankings/?category=sector&measure=valid&period=range&start=2024-02-01&end=2024-11-30"),
        ("API drill-down, province", client, f"/api/v1/rankings/units/{province.code}/"),
        ("API progress, province", client, f"/api/v1/rankings/units/{province.code}/progress/"),
        ("API series, this year", anonymous, "/api/v1/rankings/series/"),
        ("API recognition, 2025 Q2", anonymous, "/api/v1/rankings/recognition/?year=2025&quarter=2"),
    ]  # fmt: skip
    print("\n| page or endpoint | p50 ms | p95 ms | max ms |\n| --- | ---: | ---: | ---: |")
    worst = 0.0
    for name, who, url in cases:
        for _ in range(3):
            response = who.get(url)
            assert response.status_code == 200, (url, response.status_code)
        timings = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            response = who.get(url)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        p95 = percentile(timings, 0.95)
        worst = max(worst, p95)
        print(f"| {name} | {statistics.median(timings):.1f} | {p95:.1f} | {max(timings):.1f} |")
    print(f"\nWorst p95: {worst:.1f} ms")

    provinces = list(
        OrgUnit.objects.filter(kind="province", level=1, active_to__isnull=True).order_by("code")
    )
    week = today - dt.timedelta(days=7)
    started = time.perf_counter()
    snapshot_rows = services.ranking_snapshot_take(week=week)
    snapshot_time = time.perf_counter() - started
    per_report = []
    for unit in provinces:
        t = time.perf_counter()
        services.weekly_report_generate(unit=unit, week=week, email=True)
        per_report.append(time.perf_counter() - t)
    total = time.perf_counter() - started
    print(
        f"\nWeekly snapshot ({snapshot_rows} rows): {snapshot_time:.2f} s; "
        f"{len(provinces)} province reports (XLSX + PDF + email): {sum(per_report):.1f} s "
        f"(p50 {statistics.median(per_report):.2f} s, max {max(per_report):.2f} s); "
        f"total {total:.1f} s"
    )


def main() -> None:
    args = parse_args()
    fresh = ensure_database(args.dsn, args.reseed)
    setup_django(args.dsn)
    if fresh:
        print("Seeding:")
        seed(args)
    if args.priority:
        from priority import raise_priority  # bench/, beside this script

        raise_priority()
    measure(args)


if __name__ == "__main__":
    main()
