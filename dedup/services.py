"""The similarity check of initiatives against the shared archive index.

Thin layer over `dedup.engine`: build the text that is checked (the body with its
attachments' extracted text), the authors' keys (co-authors count as the same
person), run the engine, keep the result for reviewers, add the initiative to the
archive and record the verdict, all in one transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from dedup.archive import get_engine, uses_shared_store
from dedup.engine import CheckResult, Source, join_parts
from dedup.models import (
    QUOTATION_KINDS,
    TYPED_NAME_KEY_PREFIX,
    ReferenceText,
    SimilarityCheck,
    SimilarityMatch,
)
from dedup.text import fold_accents, normalize_vietnamese
from initiatives.models import NON_DRAFT, Attachment, Initiative, InitiativeAuthor, Status
from initiatives.services import TEXT_FIELDS, initiative_record_check

logger = logging.getLogger(__name__)

INITIATIVE_SOURCE_PREFIX = "initiative:"


def source_id_of(initiative_id: int) -> str:
    return f"{INITIATIVE_SOURCE_PREFIX}{initiative_id}"


def initiative_check_text(initiative: Initiative) -> str:
    """Exactly what is checked and indexed: the text fields, then each attachment's text.

    Passage offsets of a match refer to this text (kept in SimilarityCheck.checked_text).
    """
    return initiative_check_parts(initiative)[0]


def initiative_check_parts(initiative: Initiative) -> tuple[str, list[tuple[int, int, str]]]:
    """``initiative_check_text`` and where in it OCR text sits:
    (start, end, attachment file name) spans of text read from scans and images."""
    body = "\n\n".join(
        value.strip()
        for name in TEXT_FIELDS
        if (value := getattr(initiative, name, "")) and value.strip()
    )
    parts, files = [body], []
    for attachment in initiative.attachments.all():
        stripped = attachment.extracted_text.strip()
        if stripped:
            parts.append(stripped)
            files.append(attachment)
    text, spans = join_parts(parts)
    ocr: list[tuple[int, int, str]] = []
    for attachment, (part_start, part_end) in zip(files, spans[1:], strict=True):
        # Spans index the stored text; the part is that text stripped.
        shift = part_start - (
            len(attachment.extracted_text) - len(attachment.extracted_text.lstrip())
        )
        for start, end in attachment.ocr_spans or ():
            start, end = max(start + shift, part_start), min(end + shift, part_end)
            if start < end:
                ocr.append((start, end, attachment.original_name))
    return text, ocr


def passages_of(match, ocr_spans: Sequence[tuple[int, int, str]]) -> list[dict]:
    """A match's passages as kept for the reviewer; a passage overlapping text read
    by OCR names the file (``ocr``): recognised text may hold reading errors."""
    passages = []
    for p in match.passages:
        passage = {
            "start": p.start,
            "end": p.end,
            "source_start": p.source_start,
            "source_end": p.source_end,
        }
        files = sorted({name for start, end, name in ocr_spans if start < p.end and p.start < end})
        if files:
            passage["ocr"] = files
        passages.append(passage)
    return passages


def author_key(author: InitiativeAuthor) -> str:
    """One person across initiatives: their account or their id in an imported archive.

    A member with neither gets a key from the typed name: anyone can type any name
    (a copier adding the source's author as a co-author), so such a key never makes
    two texts the same author's; the engine only warns the reviewer (`name:` keys).
    """
    if author.user_id:
        return f"user:{author.user_id}"
    if author.external_person_id:
        return f"person:{author.external_person_id}"
    return typed_name_key(author.full_name)


def typed_name_key(full_name: str) -> str:
    name = fold_accents(normalize_vietnamese(full_name)).strip()
    return f"{TYPED_NAME_KEY_PREFIX}{' '.join(name.split())}"


def initiative_author_keys(initiative: Initiative) -> frozenset[str]:
    # Every author's typed name too: an account holder's name typed as a co-author
    # elsewhere is what the reviewer must be warned about.
    keys = {author_key(author) for author in initiative.authors.all()}
    keys |= {typed_name_key(a.full_name) for a in initiative.authors.all() if a.full_name}
    if initiative.owner_id:
        keys.add(f"user:{initiative.owner_id}")
    return frozenset(keys)


def initiative_source(initiative: Initiative, text: str | None = None) -> Source:
    return Source(
        id=source_id_of(initiative.pk),
        kind="initiative",
        ref=str(initiative.pk),
        text=initiative_check_text(initiative) if text is None else text,
        author_keys=initiative_author_keys(initiative),
        confidential=initiative.is_confidential,
    )


def archive_initiatives():
    """Every initiative the archive holds: all handed-in ones, whatever became of them."""
    return Initiative.objects.filter(status__in=NON_DRAFT).prefetch_related(
        "authors",
        Prefetch(
            "attachments",
            queryset=Attachment.objects.only(
                "initiative_id", "extracted_text", "ocr_spans", "original_name"
            ),
        ),
    )


def archive_sources(chunk_size: int = 2000) -> Iterator[Source]:
    """Everything the index holds: handed-in initiatives and the quoted texts."""
    for initiative in archive_initiatives().order_by("pk").iterator(chunk_size=chunk_size):
        yield initiative_source(initiative)
    for reference in ReferenceText.objects.order_by("pk").iterator(chunk_size=chunk_size):
        yield reference_source(reference)


def reference_source(reference: ReferenceText) -> Source:
    return Source(
        id=reference.source_id, kind=reference.kind, ref=reference.title, text=reference.text
    )


def reference_text_add(*, kind: str, title: str, text: str) -> ReferenceText:
    """Register (or replace, by title) a law or form text that initiatives quote."""
    with transaction.atomic():
        reference = ReferenceText.objects.select_for_update().filter(title=title).first()
        if reference is None:
            reference = ReferenceText(title=title)
        reference.kind, reference.text = kind, text
        reference.full_clean(validate_unique=False)
        reference.save()
        engine = get_engine()
        for other_kind in ReferenceText.Kind.values:  # a kind change leaves no stale copy
            if other_kind != kind:
                engine.remove(f"{other_kind}:{reference.pk}")
        engine.add(reference_source(reference))
    return reference


def _save_matches(
    check: SimilarityCheck,
    initiative: Initiative,
    result: CheckResult,
    ocr_spans: Sequence[tuple[int, int, str]] = (),
) -> None:
    initiative_ids = {
        int(m.ref) for m in result.matches if m.kind == "initiative" and m.ref.isdigit()
    }
    existing = set(Initiative.objects.filter(pk__in=initiative_ids).values_list("pk", flat=True))
    titles = dict(Initiative.objects.filter(pk__in=existing).values_list("pk", "title"))
    SimilarityMatch.objects.bulk_create(
        SimilarityMatch(
            similarity_check=check,
            initiative=initiative,
            source_id=match.source_id,
            source_kind=match.kind,
            source_initiative_id=int(match.ref)
            if match.kind == "initiative" and int(match.ref) in existing
            else None,
            source_url=match.ref if match.kind not in ("initiative", *QUOTATION_KINDS) else "",
            source_title=titles.get(int(match.ref), "")
            if match.kind == "initiative"
            else (match.ref[:500] if match.kind in QUOTATION_KINDS else ""),
            # The text the source offsets index. A confidential source's text is
            # kept too, for the reviewers of its own chain: the review selectors
            # show it to no one else (`case_evidence` hides it before reading it).
            source_text=match.source_text,
            same_author=match.same_author,
            author_name_warning=match.author_name_warning,
            confidential=match.confidential,
            flagged=match.flagged,
            coverage=min(1.0, max(0.0, match.coverage)),
            score=match.score,
            passages=passages_of(match, ocr_spans),
        )
        for match in result.matches
    )


def initiative_check(*, initiative_id: int) -> SimilarityCheck | None:
    """Check one initiative in `checking`; idempotent (a second run finds it decided and stops)."""
    initiative = archive_initiatives().filter(pk=initiative_id, status=Status.CHECKING).first()
    if initiative is None:
        return None
    text, ocr_spans = initiative_check_parts(initiative)
    source = initiative_source(initiative, text)
    engine = get_engine()
    result = engine.check(text, author_keys=source.author_keys, exclude_ids=(source.id,))
    others = [m for m in result.matches if not m.same_author and not m.quotation]
    with transaction.atomic():
        # FOR UPDATE: a redelivered task or the sweep may be checking the same item right now.
        locked = (
            Initiative.objects.select_for_update()
            .filter(pk=initiative_id, status=Status.CHECKING)
            .first()
        )
        if locked is None:
            return None
        check = SimilarityCheck.objects.create(
            initiative=locked,
            state=SimilarityCheck.State.DONE,
            checked_text=text,
            flagged=result.flagged,
            finished_at=timezone.now(),
            settings_used={
                "min_coverage": engine.config.flag_rule.min_coverage,
                "min_passage_chars": engine.config.flag_rule.min_passage_chars,
                "candidates": result.candidates_considered,
            },
        )
        _save_matches(check, locked, result, ocr_spans)
        # In the same transaction as the verdict: the archive never holds a
        # version whose check did not commit (on the shared PostgreSQL store).
        engine.add(source)
        initiative_record_check(
            initiative=locked,
            flagged=result.flagged,
            copied_share=result.copied_share,
            source_count=len(others),
        )
    if not uses_shared_store():
        logger.debug("checked initiative %s against the in-process archive", initiative_id)
    return check


def text_check(*, text: str, author_keys: frozenset[str] = frozenset()) -> CheckResult:
    """Check a text against the archive without saving anything."""
    return get_engine().check(text, author_keys=author_keys)


def source_text(*, source_initiative: Initiative) -> str:
    """A source's latest checked text (a match keeps the text its offsets index:
    `SimilarityMatch.source_text`)."""
    latest = source_initiative.similarity_checks.filter(state=SimilarityCheck.State.DONE).first()
    return latest.checked_text if latest is not None else initiative_check_text(source_initiative)


def archive_index_is_empty() -> bool:
    """Whether the shared index holds no document (always False for the in-process
    index, which fills itself from the database on first use)."""
    if not uses_shared_store():
        return False
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('dedup_document') IS NOT NULL")
        if not cursor.fetchone()[0]:
            return False  # migrated back before the index tables
        cursor.execute("SELECT NOT EXISTS (SELECT 1 FROM dedup_document)")
        return bool(cursor.fetchone()[0])


def archive_index_build(*, only_if_empty: bool = True, processes: int = 1) -> int | None:
    """Index every handed-in initiative, so that a new archive (a new deployment,
    `seed_demo`, an import) is checked against what it holds from the start.

    With ``only_if_empty`` nothing happens unless the shared index is empty and the
    archive is not. Returns how many initiatives were indexed, or None if skipped.
    """
    if only_if_empty and not archive_index_is_empty():
        return None
    if only_if_empty and not (archive_initiatives().exists() or ReferenceText.objects.exists()):
        return None
    from dedup.archive import rebuilding_engine

    with rebuilding_engine() as engine:
        return engine.rebuild(archive_sources(), processes=processes)


def initiatives_to_sweep(*, older_than) -> list[int]:
    """Initiatives handed in but never checked: the broker was down, or a worker died."""
    return list(
        Initiative.objects.filter(
            status__in=[Status.CHECKING, Status.SUBMITTED], updated_at__lt=older_than
        )
        .order_by("updated_at")
        .values_list("pk", flat=True)[:5000]
    )
