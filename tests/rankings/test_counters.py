"""The counters follow every status change, and agree with a full recount."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Sum

from initiatives import services as initiative_services
from rankings import services
from rankings.models import DailyTally, MonthlyTally, TalliedInitiative, WeeklyTally
from tests.factories import decree_fields
from tests.rankings.conftest import at, submit

pytestmark = pytest.mark.django_db
DAY = dt.date(2025, 2, 12)


def daily(**filters) -> dict[str, int]:
    rows = DailyTally.objects.filter(**filters).values_list("bucket").annotate(Sum("count"))
    return {bucket: count for bucket, count in rows if count}


def weekly(dimension="all", **filters) -> dict[str, int]:
    rows = (
        WeeklyTally.objects.filter(dimension=dimension, **filters)
        .values_list("bucket")
        .annotate(Sum("count"))
    )
    return {bucket: count for bucket, count in rows if count}


def snapshot_of_counters():
    return (
        sorted(
            (
                r.unit_id,
                r.top_unit_id,
                r.day,
                r.participant_group,
                r.field_key,
                r.bucket,
                r.count,
                int(r.benefit_vnd),
            )
            for r in DailyTally.objects.all()
            if r.count
        ),
        sorted(
            (r.top_unit_id, r.week, r.dimension, r.dim_key, r.bucket, r.count, int(r.benefit_vnd))
            for r in WeeklyTally.objects.all()
            if r.count
        ),
        sorted(
            (r.top_unit_id, r.month, r.dimension, r.dim_key, r.bucket, r.count, int(r.benefit_vnd))
            for r in MonthlyTally.objects.all()
            if r.count
        ),
    )


def test_a_draft_is_not_counted_and_submission_counts_once(league):
    draft = initiative_services.initiative_save_draft(
        entered_by=league.author,
        data={
            **decree_fields(),
            "title": "Nháp",
            "participant_group": "enterprise",
            "unit": league.g1,
        },
        authors=[initiative_services.AuthorData("A", Decimal(100))],
    )
    assert not DailyTally.objects.exists()
    initiative_services.initiative_submit(
        initiative=draft, actor=league.author, submitted_at=at(DAY)
    )
    # submit + start_check: two transitions, one initiative counted once, as pending.
    assert daily(unit_id=league.g1.pk) == {"pending": 1}
    assert weekly(top_unit_id=league.p1.pk) == {"pending": 1}


def test_counters_follow_check_and_decisions(league):
    initiative = submit(league, league.g1, DAY, outcome="flagged", benefit=500)
    assert daily(unit_id=league.g1.pk) == {"pending": 1}
    initiative_services.initiative_decide(
        initiative=initiative, reviewer=league.author, decision="approve"
    )
    assert daily(unit_id=league.g1.pk) == {"valid": 1}
    assert WeeklyTally.objects.get(
        dimension="all", bucket="valid", top_unit_id=league.p1.pk
    ).benefit_vnd == Decimal(500)
    other = submit(league, league.g1, DAY, outcome="rejected", benefit=7)
    assert other.status == "rejected"
    assert daily(unit_id=league.g1.pk) == {"valid": 1, "rejected": 1}
    assert weekly("group", dim_key="enterprise") == {"valid": 1, "rejected": 1}


def test_a_returned_initiative_edited_and_resubmitted_moves_its_count(league):
    initiative = submit(league, league.g1, DAY, outcome="returned", benefit=100)
    assert daily(unit_id=league.g1.pk) == {"pending": 1}
    # Revised while returned: another grassroots unit, group, field and benefit.
    initiative_services.initiative_save_draft(
        entered_by=league.author,
        initiative=initiative,
        data={
            "unit": league.g1b,
            "participant_group": "officials",
            "field": league.field_b,
            "benefit_vnd": Decimal(300),
        },
        authors=[initiative_services.AuthorData("Nguyễn Văn A", Decimal(100))],
    )
    initiative = initiative_services.initiative_submit(initiative=initiative, actor=league.author)
    initiative_services.initiative_record_check(
        initiative=initiative, flagged=False, copied_share=0.0, source_count=0
    )
    assert daily(unit_id=league.g1.pk) == {}
    assert daily(unit_id=league.g1b.pk, participant_group="officials") == {"valid": 1}
    assert weekly("group", dim_key="enterprise") == {}
    assert weekly("field", dim_key=str(league.field_b.pk)) == {"valid": 1}
    mirror = TalliedInitiative.objects.get(pk=initiative.pk)
    assert (mirror.unit_id, mirror.benefit_vnd) == (league.g1b.pk, Decimal(300))


def test_incremental_counters_equal_a_full_recount(league):
    submit(league, league.g1, DAY, benefit=10, field=league.field_a)
    submit(league, league.g1, DAY + dt.timedelta(days=6), outcome="approved", benefit=20)
    submit(league, league.g2, DAY, outcome="rejected")
    submit(league, league.g3, DAY, outcome="checking", group="projects")
    submit(league, league.gs, dt.date(2026, 1, 2), outcome="flagged")
    incremental = snapshot_of_counters()
    assert services.tally_rebuild() == 5
    assert snapshot_of_counters() == incremental


def test_bulk_loaded_initiatives_are_counted_without_a_full_recount(league):
    from django.utils import timezone

    from initiatives.models import Initiative

    submit(league, league.g1, DAY, benefit=5)  # counted already, through the workflow
    loaded = Initiative.objects.bulk_create(
        Initiative(
            title=f"Nhập {n}",
            participant_group="enterprise" if n % 2 else "officials",
            field=league.field_a if n % 3 else None,
            unit=league.g2 if n % 2 else league.gs,
            top_unit=league.p2 if n % 2 else league.s1,
            entered_by=league.author,
            status=["valid", "checking", "rejected", "draft"][n % 4],
            submitted_at=timezone.make_aware(dt.datetime(2025, 1, 1 + n, 9)),
            benefit_vnd=Decimal(n * 10),
        )
        for n in range(12)
    )
    # 9 of the 12 are handed in (every fourth is a draft).
    assert services.tally_record_many(initiative_ids=[i.pk for i in loaded]) == 9
    assert services.tally_record_many(initiative_ids=[i.pk for i in loaded]) == 0  # idempotent
    incremental = snapshot_of_counters()
    services.tally_rebuild()
    assert snapshot_of_counters() == incremental
