"""Demo figures for the rankings: initiatives spread over the provinces, yearly targets,
two weekly snapshots and a reminder cadence. Runs after `accounts.demo.seed_demo_country`
(or on the bare national structure); DEBUG only, like the rest of the demo."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from federation.models import OrgUnit, UnitKind
from federation.services import unit_create
from initiatives.models import Initiative, ParticipantGroup
from initiatives.services import search_text_for
from rankings import periods, services
from rankings.models import ReminderPolicy, Target
from rankings.selectors import top_level_units

STATUSES = ["valid"] * 6 + ["approved"] * 2 + ["checking", "flagged", "rejected"]
TITLES = [
    "Cải tiến dây chuyền cấp đông",
    "Ứng dụng phần mềm quản lý hồ sơ",
    "Giảm hao hụt nguyên liệu khi cắt",
    "Tự động hoá khâu đóng gói",
    "Tiết kiệm điện cho máy nén khí",
    "Số hoá sổ theo dõi thiết bị",
]


def _grassroots_under(top: OrgUnit) -> OrgUnit:
    found = (
        top.get_descendants()
        .filter(kind=UnitKind.GRASSROOTS, active_to__isnull=True)
        .order_by("lft")
        .first()
    )
    if found is not None:
        return found
    return unit_create(
        code=f"{top.code}-DEMO",
        name=f"CĐCS mẫu thuộc {top.display_name}",
        kind=UnitKind.GRASSROOTS,
        parent=top,
        member_count=300,
    )


@transaction.atomic
def seed_rankings_demo(*, seed: int = 6, today: dt.date | None = None) -> int:
    """Create the demo figures once; returns how many initiatives were added."""
    today = today or timezone.localdate()
    if Target.objects.exists():
        return 0
    rng = random.Random(seed)
    author = (
        get_user_model().objects.filter(email="cdcs@demo.vn").first()
        or get_user_model().objects.order_by("pk").first()
    )
    tops = list(top_level_units().filter(active_to__isnull=True).order_by("code"))
    start = today - dt.timedelta(days=300)
    rows = []
    for top in tops:
        top.refresh_from_db()  # creating a unit renumbers the tree: lft/rght move
        unit = _grassroots_under(top)
        if not top.member_count:
            top.member_count = rng.randint(20_000, 200_000)
            top.save(update_fields=["member_count"])
        for _ in range(rng.randint(8, 70)):
            day = start + dt.timedelta(days=int(300 * rng.random() ** 0.8))
            submitted = timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))
            rows.append(
                Initiative(
                    title=rng.choice(TITLES),
                    summary="",
                    participant_group=rng.choice(ParticipantGroup.values),
                    unit=unit,
                    top_unit=top,
                    entered_by=author,
                    status=rng.choice(STATUSES),
                    submitted_at=submitted,
                    benefit_vnd=Decimal(rng.randint(0, 200) * 1_000_000),
                )
            )
        Target.objects.create(
            unit=top,
            starts_on=dt.date(today.year, 1, 1),
            ends_on=dt.date(today.year, 12, 31),
            count=rng.randint(40, 110),
        )
    for row in rows:
        # Found by the library's search like any other initiative (no authors here).
        row.search_text = search_text_for(row, author_names=[])
    Initiative.objects.bulk_create(rows, batch_size=1000)
    services.tally_rebuild()
    monday = periods.week_start(today)
    for weeks_back in (2, 1):
        services.ranking_snapshot_take(week=monday - dt.timedelta(days=7 * weeks_back))
    root = OrgUnit.objects.filter(level=0).first()
    if root is not None:
        ReminderPolicy.objects.get_or_create(unit=root, defaults={"every_days": 7})
    return len(rows)
