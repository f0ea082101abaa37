"""Builders for the moderation queue tests: initiatives already checked, with evidence.

The flagged state is set up directly (a SimilarityCheck with its SimilarityMatch
rows, as the similarity task leaves them), so these tests do not depend on the engine.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from dedup.models import SimilarityCheck, SimilarityMatch
from federation.models import OrgUnit
from initiatives.models import (
    Initiative,
    InitiativeAuthor,
    InitiativeEvent,
    ParticipantGroup,
    Status,
)
from initiatives.services import top_unit_of

SOURCE_TEXT = (
    "Quy trình cũ: công nhân kiểm tra nhiệt độ kho cấp đông bằng tay mỗi hai giờ. "
    "Lắp cảm biến nhiệt độ không dây và cảnh báo qua tin nhắn khi nhiệt độ vượt ngưỡng âm 18 độ. "
    "Tiết kiệm 300 giờ công mỗi năm."
)
COPIED = (
    "Lắp cảm biến nhiệt độ không dây và cảnh báo qua tin nhắn khi nhiệt độ vượt ngưỡng âm 18 độ."
)


def make_initiative(
    *,
    unit,
    owner,
    title: str,
    text: str = "",
    status: str = Status.FLAGGED,
    days_ago: float = 1,
    copied_share: float | None = None,
    source_count: int = 0,
    is_confidential: bool = False,
    field=None,
) -> Initiative:
    submitted_at = timezone.now() - dt.timedelta(days=days_ago)
    initiative = Initiative.objects.create(
        title=title,
        description=text,
        participant_group=ParticipantGroup.ENTERPRISE,
        unit=unit,
        top_unit=top_unit_of(OrgUnit.objects.get(pk=unit.pk)),
        owner=owner,
        entered_by=owner,
        status=status,
        submitted_at=submitted_at,
        copied_share=copied_share,
        copied_source_count=source_count,
        is_confidential=is_confidential,
        field=field,
    )
    InitiativeAuthor.objects.create(
        initiative=initiative,
        user=owner,
        full_name=owner.full_name,
        contribution_percent=Decimal(100),
    )
    if status in (Status.FLAGGED, Status.VALID, Status.APPROVED):
        event = InitiativeEvent.objects.create(
            initiative=initiative,
            transition="flag" if status == Status.FLAGGED else "pass_check",
            from_status=Status.CHECKING,
            to_status=Status.FLAGGED if status == Status.FLAGGED else Status.VALID,
        )
        InitiativeEvent.objects.filter(pk=event.pk).update(created_at=submitted_at)
    return initiative


def make_check(initiative: Initiative, text: str | None = None, *, flagged: bool = True):
    return SimilarityCheck.objects.create(
        initiative=initiative,
        state=SimilarityCheck.State.DONE,
        checked_text=text if text is not None else initiative.description,
        flagged=flagged,
        finished_at=timezone.now(),
    )


def add_match(
    check: SimilarityCheck,
    *,
    source: Initiative | None = None,
    url: str = "",
    own_span: tuple[int, int],
    source_span: tuple[int, int] = (0, 0),
    coverage: float = 0.4,
    same_author: bool = False,
) -> SimilarityMatch:
    kind = SimilarityMatch.SourceKind.INITIATIVE if source else SimilarityMatch.SourceKind.WEB
    return SimilarityMatch.objects.create(
        similarity_check=check,
        initiative=check.initiative,
        source_id=f"initiative:{source.pk}" if source else url,
        source_kind=kind,
        source_initiative=source,
        source_url=url,
        source_title=source.title if source else "Trang web",
        same_author=same_author,
        confidential=bool(source and source.is_confidential),
        flagged=not same_author,
        coverage=coverage,
        score=0.8,
        passages=[
            {
                "start": own_span[0],
                "end": own_span[1],
                "source_start": source_span[0],
                "source_end": source_span[1],
            }
        ],
    )


def flagged_copy(*, unit, owner, source: Initiative, title: str, days_ago: float = 1, share=0.5):
    """An initiative in `unit` that copied COPIED from `source` (which has a check of its own)."""
    text = f"Sáng kiến của đơn vị: {COPIED} Áp dụng tại phân xưởng 2."
    initiative = make_initiative(
        unit=unit,
        owner=owner,
        title=title,
        text=text,
        days_ago=days_ago,
        copied_share=share,
        source_count=1,
    )
    check = make_check(initiative)
    own_start = text.index(COPIED)
    source_text = SimilarityCheck.objects.filter(initiative=source).first().checked_text
    source_start = source_text.index(COPIED)
    add_match(
        check,
        source=source,
        own_span=(own_start, own_start + len(COPIED)),
        source_span=(source_start, source_start + len(COPIED)),
        coverage=share,
    )
    return initiative


def archived_source(*, unit, owner, title: str = "Cảnh báo nhiệt độ kho lạnh", **kwargs):
    source = make_initiative(
        unit=unit, owner=owner, title=title, text=SOURCE_TEXT, status=Status.APPROVED, **kwargs
    )
    make_check(source, flagged=False)
    return source


def review_objects(country, personas) -> dict:
    """What the persona matrix points at for the moderation queue: a flagged item of A."""
    source = archived_source(unit=country.grassroots_b, owner=personas.worker_b)
    return {
        "review_item_a": flagged_copy(
            unit=country.grassroots_a, owner=personas.worker_a, source=source, title="Cờ A"
        )
    }
