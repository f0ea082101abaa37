"""A small league to rank: four provinces (one merged into a new one in 2025), one sector union."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import timezone

from federation.models import EmulationGroup, EmulationMembership
from federation.services import unit_merge
from initiatives import services as initiative_services
from initiatives.models import Field, ParticipantGroup
from tests.factories import (
    Role,
    UnitFactory,
    UnitKind,
    UserFactory,
    decree_field,
    decree_fields,
    grant,
)

MERGER = dt.date(2025, 7, 1)


@dataclass
class League:
    root: object
    p1: object
    p2: object
    p3: object  # merged into p4 on MERGER
    p4: object
    s1: object
    g1: object
    g1b: object
    g2: object
    g3: object  # grassroots of p3, moved under p4 by the merger
    g4: object
    gs: object
    cluster: object
    block: object
    author: object
    field_a: object
    field_b: object


def at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))


def submit(
    league: League,
    unit,
    day: dt.date,
    *,
    outcome: str = "valid",
    group: str = ParticipantGroup.ENTERPRISE,
    field=None,
    benefit: int = 0,
    title: str = "Sáng kiến",
):
    """Hand in one initiative through the real services; `outcome` is where it ends up."""
    draft = initiative_services.initiative_save_draft(
        entered_by=league.author,
        data={
            **decree_fields(),
            "title": title,
            "participant_group": group,
            "unit": unit,
            "field": field or decree_field(),
            "benefit_vnd": Decimal(benefit),
        },
        authors=[initiative_services.AuthorData("Nguyễn Văn A", Decimal(100))],
    )
    initiative = initiative_services.initiative_submit(
        initiative=draft, actor=league.author, submitted_at=at(day)
    )
    if outcome == "checking":
        return initiative
    initiative = initiative_services.initiative_record_check(
        initiative=initiative,
        flagged=outcome in ("flagged", "approved", "rejected", "returned"),
        copied_share=0.0,
        source_count=0,
    )
    if outcome in ("approved", "rejected", "returned"):
        decision = {"approved": "approve", "rejected": "reject", "returned": "return"}[outcome]
        initiative = initiative_services.initiative_decide(
            initiative=initiative, reviewer=league.author, decision=decision, reason="Lý do"
        )
    return initiative


@pytest.fixture
def league(db) -> League:
    root = UnitFactory(code="TLD", name="Tổng LĐLĐ Việt Nam", kind=UnitKind.NATIONAL)

    def province(code, name, members, **extra):
        return UnitFactory(
            code=code, name=name, kind=UnitKind.PROVINCE, parent=root, member_count=members, **extra
        )

    p1 = province("P1", "LĐLĐ An Giang", 2000)
    p2 = province("P2", "LĐLĐ Bến Tre", 1000)
    p3 = province("P3", "LĐLĐ Hậu Giang", 500)
    s1 = UnitFactory(
        code="S1", name="Công đoàn Giáo dục", kind=UnitKind.SECTOR, parent=root, member_count=4000
    )
    g1 = UnitFactory(code="G1", name="CĐCS An Giang 1", parent=p1)
    g1b = UnitFactory(code="G1B", name="CĐCS An Giang 2", parent=p1)
    g2 = UnitFactory(code="G2", name="CĐCS Bến Tre 1", parent=p2)
    g3 = UnitFactory(code="G3", name="CĐCS Hậu Giang 1", parent=p3)
    gs = UnitFactory(code="GS", name="CĐCS Trường học", parent=s1)
    cluster = EmulationGroup.objects.create(code="CUM", name="Cụm ĐBSCL", kind="cluster")
    block = EmulationGroup.objects.create(code="KHOI", name="Khối ngành", kind="block")
    for unit in (p1, p2, p3):
        EmulationMembership.objects.create(group=cluster, unit=unit, year=2025)
    EmulationMembership.objects.create(group=block, unit=s1, year=2025)
    author = UserFactory(email="tacgia@example.vn")
    grant(author, Role.ADMIN, root)
    return League(
        root=root,
        p1=p1,
        p2=p2,
        p3=p3,
        p4=None,
        s1=s1,
        g1=g1,
        g1b=g1b,
        g2=g2,
        g3=g3,
        g4=None,
        gs=gs,
        cluster=cluster,
        block=block,
        author=author,
        field_a=Field.objects.create(code="co-khi", name="Cơ khí"),
        field_b=Field.objects.create(code="y-te", name="Y tế"),
    )


def merge_p3_into_p4(league: League) -> None:
    """The 2025 merger: P3 (Hậu Giang) goes into a new P4 (Cần Thơ) from 1 July 2025."""
    # unit_create trusts the parent instance's lft/rght: hand it fresh ones.
    league.root.refresh_from_db()
    p4 = UnitFactory(
        code="P4",
        name="LĐLĐ Cần Thơ",
        kind=UnitKind.PROVINCE,
        parent=league.root,
        member_count=1500,
        active_from=MERGER,
    )
    unit_merge(sources=[league.p3], target=p4, effective_date=MERGER)
    p4.refresh_from_db()
    league.p4 = p4
    league.g4 = UnitFactory(code="G4", name="CĐCS Cần Thơ 1", parent=p4)
    for unit in (league.p1, league.p2, p4):
        EmulationMembership.objects.create(group=league.cluster, unit=unit, year=2026)
    for unit in (league.p1, league.p2, league.p3, league.p4, league.g3):
        unit.refresh_from_db()
