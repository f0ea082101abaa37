"""Any date range is the sum of full months, full weeks and days, each counted once."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from rankings import periods, selectors
from rankings.models import RankingMode, TalliedInitiative
from tests.rankings.conftest import submit


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
        (dt.date(2025, 1, 8), dt.date(2025, 1, 20)),
        (dt.date(2024, 12, 30), dt.date(2025, 3, 2)),
        (dt.date(2025, 2, 27), dt.date(2025, 3, 1)),
        (dt.date(2025, 3, 3), dt.date(2025, 3, 9)),
    ],
)
def test_decompose_covers_every_day_once(start, end):
    months, weeks, days = periods.decompose(start, end)
    covered = []
    for first, after in months + weeks:
        covered += [first + dt.timedelta(days=n) for n in range((after - first).days)]
    for first, last in days:
        covered += [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    assert sorted(covered) == [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]
    assert all(first.day == 1 for first, _after in months)
    assert all(first.weekday() == 0 for first, _after in weeks)


@pytest.mark.django_db
def test_totals_over_random_ranges_equal_a_direct_count(league):
    rng = random.Random(6)
    days = [dt.date(2024, 11, 1) + dt.timedelta(days=rng.randint(0, 200)) for _ in range(40)]
    for day in days:
        submit(league, rng.choice([league.g1, league.g2, league.gs]), day,
               outcome=rng.choice(["valid", "checking", "rejected"]))  # fmt: skip
    for _ in range(25):
        start = dt.date(2024, 10, 20) + dt.timedelta(days=rng.randint(0, 120))
        end = start + dt.timedelta(days=rng.randint(0, 150))
        totals = selectors.top_level_totals(
            period=periods.date_range(start, end), mode=RankingMode.HISTORIC
        )
        for top in (league.p1, league.p2, league.s1):
            expected = TalliedInitiative.objects.filter(
                top_unit_id=top.pk, day__gte=start, day__lte=end
            ).count()
            got = totals.get(top.pk, selectors.Totals()).submitted
            assert got == expected, (start, end, top.code)
