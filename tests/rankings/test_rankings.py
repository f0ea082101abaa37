"""Ranks, periods, the merger in both modes, per-member figures, recognition, the lagging list:
each against figures worked out by hand in the comments."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from rankings import periods, selectors, services
from rankings.models import RankingMode, RankingSnapshot, Target
from rankings.selectors import RankRow, assign_ranks
from tests.rankings.conftest import merge_p3_into_p4, submit

pytestmark = pytest.mark.django_db

Q1_2025 = periods.quarter(2025, 1)
YEAR_2025 = periods.year(2025)


def ranks(ranking_or_rows, measure=None):
    rows = getattr(ranking_or_rows, "rows", ranking_or_rows)
    return {
        row.unit.code: (row.rank, row.value(measure) if measure else row.submitted) for row in rows
    }


@pytest.fixture
def q1(league):
    """Q1 2025, before the merger.

    P1: G1 valid(100), approved(50), rejected(999); G1B checking -> submitted 4, valid 2, 150 đ
    P2: G2 4 × valid                                              -> submitted 4, valid 4
    P3: G3 2 × valid, 1 flagged                                   -> submitted 3, valid 2
    S1: GS 5 × valid
    """
    d = dt.date(2025, 2, 10)
    submit(league, league.g1, d, outcome="valid", benefit=100, field=league.field_a)
    submit(league, league.g1, d, outcome="approved", benefit=50)
    submit(league, league.g1, d, outcome="rejected", benefit=999)
    submit(league, league.g1b, d, outcome="checking")
    for _ in range(4):
        submit(league, league.g2, d)
    submit(league, league.g3, d)
    submit(league, league.g3, d, field=league.field_a)
    submit(league, league.g3, d, outcome="flagged")
    for _ in range(5):
        submit(league, league.gs, d)
    return league


def test_competition_ranking_shares_ranks_and_skips():
    rows = [
        RankRow(unit=type("U", (), {"name": n})(), submitted=v)
        for n, v in [("a", 5), ("b", 3), ("c", 3), ("d", 1)]
    ]
    assert [r.rank for r in assign_ranks(rows, "submitted")] == [1, 2, 2, 4]


def test_provinces_ranked_with_ties_by_submitted_and_valid(q1):
    ranking = selectors.national_ranking(
        period=Q1_2025, mode=RankingMode.HISTORIC, measure="submitted"
    )
    assert ranks(ranking) == {"P1": (1, 4), "P2": (1, 4), "P3": (3, 3)}
    # Valid initiatives (passed the check or approved) by default.
    by_valid = selectors.national_ranking(period=Q1_2025, mode=RankingMode.HISTORIC)
    assert by_valid.measure == "valid"
    assert ranks(by_valid, "valid") == {"P2": (1, 4), "P1": (2, 2), "P3": (2, 2)}
    # Benefit counts valid initiatives only: the rejected 999 đ does not.
    benefit = selectors.national_ranking(
        period=Q1_2025, mode=RankingMode.HISTORIC, measure="benefit"
    )
    assert ranks(benefit, "benefit")["P1"] == (1, Decimal(150))


def test_sector_unions_are_ranked_in_their_own_category(q1):
    ranking = selectors.national_ranking(
        period=Q1_2025, mode=RankingMode.HISTORIC, category="sector"
    )
    assert ranks(ranking) == {"S1": (1, 5)}


def test_per_thousand_members(q1):
    # Valid initiatives: P1 2/2000 = 1.0; P2 4/1000 = 4.0; P3 2/500 = 4.0
    ranking = selectors.national_ranking(
        period=Q1_2025, mode=RankingMode.HISTORIC, measure="per_1000"
    )
    assert ranks(ranking, "per_1000") == {"P2": (1, 4.0), "P3": (1, 4.0), "P1": (3, 1.0)}
    # Ranked by handed-in initiatives, the per-member figure counts those:
    # P1 4/2000 = 2.0; P2 4/1000 = 4.0; P3 3/500 = 6.0
    handed_in = selectors.national_ranking(
        period=Q1_2025, mode=RankingMode.HISTORIC, measure="submitted"
    )
    assert {r.unit.code: r.per_1000 for r in handed_in.rows} == {"P1": 2.0, "P2": 4.0, "P3": 6.0}


def test_ranking_inside_a_cluster(q1):
    ranking = selectors.national_ranking(
        period=Q1_2025, mode=RankingMode.HISTORIC, group=q1.cluster, measure="submitted"
    )
    assert ranks(ranking) == {"P1": (1, 4), "P2": (1, 4), "P3": (3, 3)}


def test_participant_group_and_field_filters(q1):
    by_field = selectors.national_ranking(
        period=Q1_2025, mode=RankingMode.HISTORIC, field_id=q1.field_a.pk
    )
    assert ranks(by_field) == {"P1": (1, 1), "P3": (1, 1), "P2": (3, 0)}
    both = selectors.national_ranking(
        period=Q1_2025,
        mode=RankingMode.HISTORIC,
        participant_group="enterprise",
        field_id=q1.field_a.pk,
    )
    assert ranks(both) == {"P1": (1, 1), "P3": (1, 1), "P2": (3, 0)}
    by_group = selectors.national_ranking(
        period=Q1_2025, mode=RankingMode.HISTORIC, participant_group="officials"
    )
    assert {code: value for code, (_r, value) in ranks(by_group).items()} == {
        "P1": 0,
        "P2": 0,
        "P3": 0,
    }


def test_periods_split_into_full_weeks_and_edge_days(league):
    # Mon 6/1, Wed 8/1, Mon 13/1, Sun 19/1, Wed 22/1 (2025)
    for day in (6, 8, 13, 19, 22):
        submit(league, league.g1, dt.date(2025, 1, day))

    def count(period):
        return ranks(selectors.national_ranking(period=period, mode=RankingMode.HISTORIC))["P1"][1]

    assert count(periods.date_range(dt.date(2025, 1, 8), dt.date(2025, 1, 20))) == 3
    assert count(periods.week(dt.date(2025, 1, 15))) == 2
    assert count(periods.date_range(dt.date(2025, 1, 7), dt.date(2025, 1, 7))) == 0
    assert count(YEAR_2025) == 5
    assert count(periods.quarter(2025, 2)) == 0
    assert count(periods.Period("all", periods.PROGRAMME_START, dt.date(2025, 12, 31))) == 5


def test_merger_rolls_up_today_or_keeps_units_as_they_were(q1):
    merge_p3_into_p4(q1)
    submit(q1, q1.g4, dt.date(2025, 8, 5))
    submit(q1, q1.g4, dt.date(2025, 8, 6))
    submit(q1, q1.g3, dt.date(2025, 9, 1))  # G3 now sits under P4
    today = selectors.national_ranking(
        period=YEAR_2025, mode=RankingMode.TODAY, measure="submitted"
    )
    # P4 = P3's 3 before the merger + 3 after.
    assert ranks(today) == {"P4": (1, 6), "P1": (2, 4), "P2": (2, 4)}
    historic = selectors.national_ranking(
        period=YEAR_2025, mode=RankingMode.HISTORIC, measure="submitted"
    )
    assert ranks(historic) == {"P1": (1, 4), "P2": (1, 4), "P3": (3, 3), "P4": (3, 3)}
    # Per member today uses the new province's members: 6 / 1500.
    assert today.rows[0].per_1000 == 4.0


def test_drill_down_into_sub_units_in_both_modes(q1):
    merge_p3_into_p4(q1)
    submit(q1, q1.g4, dt.date(2025, 8, 5))
    rows = selectors.subunit_rows(unit=q1.p1, period=YEAR_2025)
    assert ranks(rows) == {"G1": (1, 3), "G1B": (2, 1)}
    # Today: P4's sub-units include G3, which came from P3 with its 3 initiatives.
    assert ranks(selectors.subunit_rows(unit=q1.p4, period=YEAR_2025)) == {
        "G3": (1, 3),
        "G4": (2, 1),
    }
    # As they were: P4 only counts what was handed in under P4; P3's stay with P3.
    assert ranks(
        selectors.subunit_rows(unit=q1.p4, period=YEAR_2025, mode=RankingMode.HISTORIC)
    ) == {"G4": (1, 1), "G3": (2, 0)}
    assert ranks(
        selectors.subunit_rows(unit=q1.p3, period=YEAR_2025, mode=RankingMode.HISTORIC)
    ) == {"G3": (1, 3)}


def test_target_percent_exact_and_prorated(q1):
    Target.objects.create(unit=q1.p1, starts_on=Q1_2025.start, ends_on=Q1_2025.end, count=8)
    Target.objects.create(unit=q1.p2, starts_on=YEAR_2025.start, ends_on=YEAR_2025.end, count=20)
    ranking = selectors.national_ranking(
        period=Q1_2025, mode=RankingMode.HISTORIC, measure="target_pct"
    )
    by_code = {r.unit.code: r for r in ranking.rows}
    # Targets count valid initiatives. P1: 2 of 8 = 25 % (4 handed in beside it).
    # P2: yearly 20 prorated to Q1's 90 days: ceil(20 × 90 / 365) = 5; 4 valid -> 80 %.
    assert (by_code["P1"].target, by_code["P1"].target_pct) == (8, 25.0)
    assert (by_code["P1"].valid, by_code["P1"].submitted) == (2, 4)
    assert (by_code["P2"].target, by_code["P2"].target_pct) == (5, 80.0)
    assert by_code["P3"].target is None and by_code["P3"].rank is None
    assert [r.unit.code for r in ranking.rows] == ["P2", "P1", "P3"]
    # Ranked by handed-in initiatives, % of target counts those: P1 4 of 8 = 50 %.
    handed_in = selectors.national_ranking(
        period=Q1_2025, mode=RankingMode.HISTORIC, measure="submitted"
    )
    assert {r.unit.code: r.target_pct for r in handed_in.rows}["P1"] == 50.0


def test_quarterly_recognition_counts_valid_initiatives_by_default(q1):
    # Valid: P1 2, P2 4, P3 2 -> P2 leads the cluster alone (P1's rejected and pending
    # initiatives do not count). P2's Q1 target 3: 4 > 3, recognised.
    Target.objects.create(unit=q1.p2, starts_on=Q1_2025.start, ends_on=Q1_2025.end, count=3)
    result = {r.group.code: r for r in selectors.quarterly_recognition(year=2025, quarter=1)}
    assert [(r.unit.code, r.count, r.submitted) for r in result["CUM"].leaders] == [("P2", 4, 4)]
    assert [r.unit.code for r in result["CUM"].recognised] == ["P2"]
    # A valid count equal to the target is not above it.
    Target.objects.filter(unit=q1.p2).update(count=4)
    result = {r.group.code: r for r in selectors.quarterly_recognition(year=2025, quarter=1)}
    assert result["CUM"].recognised == []


def test_quarterly_recognition_needs_the_most_and_above_own_target(q1):
    # Counted by handed-in initiatives (asked for): P1 and P2 lead with 4 each. P1's Q1
    # target 3 (4 > 3: recognised); P2's yearly 20 -> 5 for Q1 (4 is not above 5).
    # Block: S1 leads with 5, no target.
    Target.objects.create(unit=q1.p1, starts_on=Q1_2025.start, ends_on=Q1_2025.end, count=3)
    Target.objects.create(unit=q1.p2, starts_on=YEAR_2025.start, ends_on=YEAR_2025.end, count=20)
    result = {
        r.group.code: r
        for r in selectors.quarterly_recognition(year=2025, quarter=1, count="submitted")
    }
    assert sorted(r.unit.code for r in result["CUM"].leaders) == ["P1", "P2"]
    assert [r.unit.code for r in result["CUM"].recognised] == ["P1"]
    assert [r.unit.code for r in result["KHOI"].leaders] == ["S1"]
    assert result["KHOI"].recognised == []


def test_count_equal_to_target_is_not_recognised(q1):
    Target.objects.create(unit=q1.p1, starts_on=Q1_2025.start, ends_on=Q1_2025.end, count=4)
    Target.objects.create(unit=q1.p2, starts_on=Q1_2025.start, ends_on=Q1_2025.end, count=4)
    result = {
        r.group.code: r
        for r in selectors.quarterly_recognition(year=2025, quarter=1, count="submitted")
    }
    assert result["CUM"].recognised == []


def test_lagging_and_leading_list_with_pace_and_projection(q1):
    # Targets count valid initiatives. As of 31/3/2025: 90 of 365 days. P1 target 40:
    # expected ceil(40×90/365) = 10, has 2 valid (4 handed in) -> lagging; needs
    # ceil(38 / (275/7)) = 1 a week; projected round(2 × 365 / 90) = 8.
    # P2 target 8: expected ceil(8×90/365) = 2, has 4 -> leading. S1 and P3: no target.
    Target.objects.create(unit=q1.p1, starts_on=YEAR_2025.start, ends_on=YEAR_2025.end, count=40)
    Target.objects.create(unit=q1.p2, starts_on=YEAR_2025.start, ends_on=YEAR_2025.end, count=8)
    rows = selectors.progress_rows(unit=q1.root, period=YEAR_2025, as_of=dt.date(2025, 3, 31))
    by_code = {r.unit.code: r for r in rows}
    p1, p2 = by_code["P1"], by_code["P2"]
    assert (p1.count, p1.submitted, p1.target_pct) == (2, 4, 5.0)
    assert (p1.expected, p1.pace_per_week, p1.projected) == (10, 1, 8)
    assert p1.lagging and not p1.leading
    assert p2.expected == 2 and p2.leading and not p2.lagging
    assert [r.unit.code for r in rows if r.lagging] == ["P1"]
    assert not by_code["S1"].lagging and not by_code["S1"].leading
    # Lagging first: sorted by % of target, units without a target last.
    assert [r.unit.code for r in rows][:2] == ["P1", "P2"]
    # Counted by handed-in initiatives (asked for): projected round(4 × 365 / 90) = 16.
    handed_in = selectors.progress_rows(
        unit=q1.root, period=YEAR_2025, as_of=dt.date(2025, 3, 31), count="submitted"
    )
    p1 = next(r for r in handed_in if r.unit.code == "P1")
    assert (p1.count, p1.expected, p1.pace_per_week, p1.projected) == (4, 10, 1, 16)


def test_a_unit_on_pace_by_handed_in_initiatives_lags_by_valid_ones(q1):
    # P1 target 12: expected by 31/3 ceil(12 × 90 / 365) = 3. Handed in 4 (on pace), but
    # only 2 valid: the rejected and the pending one do not count toward the target.
    Target.objects.create(unit=q1.p1, starts_on=YEAR_2025.start, ends_on=YEAR_2025.end, count=12)
    as_of = dt.date(2025, 3, 31)
    by_valid = selectors.progress_rows(unit=q1.root, period=YEAR_2025, as_of=as_of)
    p1 = next(r for r in by_valid if r.unit.code == "P1")
    assert (p1.counted, p1.count, p1.expected, p1.lagging) == ("valid", 2, 3, True)
    by_handed_in = selectors.progress_rows(
        unit=q1.root, period=YEAR_2025, as_of=as_of, count="submitted"
    )
    p1 = next(r for r in by_handed_in if r.unit.code == "P1")
    assert (p1.counted, p1.count, p1.lagging, p1.leading) == ("submitted", 4, False, True)


def test_rank_change_since_last_weeks_snapshot(league):
    # Week of 3/3/2025: P2 leads (2 vs 1). The week after, P1 overtakes (4 vs 2).
    submit(league, league.g2, dt.date(2025, 3, 4))
    submit(league, league.g2, dt.date(2025, 3, 4))
    submit(league, league.g1, dt.date(2025, 3, 5))
    services.ranking_snapshot_take(week=dt.date(2025, 3, 3))
    assert RankingSnapshot.objects.filter(week=dt.date(2025, 3, 3), mode="today").count() == 4
    for _ in range(3):
        submit(league, league.g1, dt.date(2025, 3, 11))
    period = periods.Period("all", periods.PROGRAMME_START, dt.date(2025, 3, 12))
    ranking = selectors.national_ranking(period=period, mode=RankingMode.TODAY)
    by_code = {r.unit.code: r for r in ranking.rows}
    assert (by_code["P1"].rank, by_code["P1"].previous_rank, by_code["P1"].change) == (1, 2, 1)
    assert (by_code["P2"].rank, by_code["P2"].previous_rank, by_code["P2"].change) == (2, 1, -1)


def test_a_merged_province_drills_into_the_sub_units_it_had(league):
    # P3 had G3 and an upper union U3 (with G3U) before the merger moved both under P4.
    from tests.factories import UnitFactory, UnitKind

    league.p3.refresh_from_db()
    u3 = UnitFactory(code="U3", name="CĐ KCN Hậu Giang", kind=UnitKind.UPPER, parent=league.p3)
    g3u = UnitFactory(code="G3U", name="CĐCS KCN 1", parent=u3)
    submit(league, g3u, dt.date(2025, 3, 1))
    submit(league, g3u, dt.date(2025, 3, 2))
    submit(league, league.g3, dt.date(2025, 3, 3))
    merge_p3_into_p4(league)
    submit(league, g3u, dt.date(2025, 9, 1))  # after the merger: counts for P4, not P3
    rows = selectors.subunit_rows(unit=league.p3, period=YEAR_2025, mode=RankingMode.HISTORIC)
    assert ranks(rows) == {"U3": (1, 2), "G3": (2, 1)}
    today = selectors.subunit_rows(unit=league.p4, period=YEAR_2025)
    assert ranks(today) == {"U3": (1, 3), "G3": (2, 1), "G4": (3, 0)}
