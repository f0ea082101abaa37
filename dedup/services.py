"""The similarity check of initiatives against the shared archive index.

Thin layer over `dedup.engine`: build the text that is checked (the body with its
attachments' extracted text), the authors' keys (co-authors count as the same
person), run the engine, keep the result for reviewers, add the initiative to the
archive and record the verdict, all in one transaction.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import timezone

from core.text import fold_accents, normalize_vietnamese
from dedup.archive import get_engine, uses_shared_store
from dedup.engine import CheckResult, Match, Passage, Source, combine_results, join_parts
from dedup.models import (
    QUOTATION_KINDS,
    TYPED_NAME_KEY_PREFIX,
    ReferenceText,
    SimilarityCheck,
    SimilarityMatch,
    WebSource,
)
from dedup.selectors import webcheck_enabled
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
    for page in WebSource.objects.order_by("pk").iterator(chunk_size=chunk_size):
        yield web_source(page)


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


def _web_sources_of(matches) -> dict[str, WebSource]:
    """The WebSource rows behind web and reference matches, by source id, in one query."""
    pks = {
        int(m.source_id.split(":", 1)[1])
        for m in matches
        if m.kind in WEB_KINDS and m.source_id.split(":", 1)[1].isdigit()
    }
    return {w.source_id: w for w in WebSource.objects.filter(pk__in=pks).defer("text")}


def _save_matches(
    check: SimilarityCheck,
    initiative: Initiative,
    result: CheckResult,
    ocr_spans: Sequence[tuple[int, int, str]] = (),
    *,
    kinds=None,
) -> None:
    """Keep a check's matches (only those of ``kinds`` if given)."""
    matches = [m for m in result.matches if kinds is None or m.kind in kinds]
    initiative_ids = {int(m.ref) for m in matches if m.kind == "initiative" and m.ref.isdigit()}
    existing = set(Initiative.objects.filter(pk__in=initiative_ids).values_list("pk", flat=True))
    titles = dict(Initiative.objects.filter(pk__in=existing).values_list("pk", "title"))
    pages = _web_sources_of(matches)
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
            else (
                match.ref[:500]
                if match.kind in QUOTATION_KINDS
                else getattr(pages.get(match.source_id), "title", "")
            ),
            source_fetched_at=getattr(pages.get(match.source_id), "fetched_at", None),
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
        for match in matches
    )


def initiative_check(*, initiative_id: int) -> SimilarityCheck | None:
    """Check one initiative in `checking`; idempotent (a second run finds it decided and stops)."""
    initiative = archive_initiatives().filter(pk=initiative_id, status=Status.CHECKING).first()
    if initiative is None:
        return None
    pending = _pending_web_check(initiative)
    if pending is not None:
        # The archive check is done and its web check is on its way (or was lost):
        # the sweep sends the web check again rather than checking twice.
        _enqueue_web_check(pending.pk)
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
        web_on = webcheck_enabled()
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
                # The archive verdict, which stands if the web check cannot be done.
                "archive_copied_share": result.copied_share,
                "archive_source_count": len(others),
            },
            web_state=SimilarityCheck.WebState.PENDING if web_on else SimilarityCheck.WebState.OFF,
        )
        _save_matches(check, locked, result, ocr_spans)
        # In the same transaction as the verdict: the archive never holds a
        # version whose check did not commit (on the shared PostgreSQL store).
        engine.add(source)
        if not web_on:
            initiative_record_check(
                initiative=locked,
                flagged=result.flagged,
                copied_share=result.copied_share,
                source_count=len(others),
            )
        else:
            # The archive verdict is kept on the check (it stands if the web check
            # cannot be done); the initiative waits in `checking` for the web half,
            # so that it takes one verdict over both, and the counters see one move.
            check_id = check.pk
            transaction.on_commit(lambda: _enqueue_web_check(check_id))
    if not uses_shared_store():
        logger.debug("checked initiative %s against the in-process archive", initiative_id)
    return check


def text_check(*, text: str, author_keys: frozenset[str] = frozenset()) -> CheckResult:
    """Check a text against the archive without saving anything."""
    return get_engine().check(text, author_keys=author_keys)


# --- the web-copy check ------------------------------------------------------------

WEB_KINDS = frozenset({"web", "reference"})
# What the web check checks against: the web and reference sources, and the quoted
# texts, so that a quoted law counts against no web page either.
WEB_CHECK_KINDS = ("web", "reference", *sorted(QUOTATION_KINDS))
WEB_NOT_CONFIGURED = "Chưa cấu hình máy tìm kiếm (WEBCHECK_SEARXNG_URL hoặc khoá Google)."


def webcheck_provider():
    """The configured search provider, or None: the web check is off."""
    from dedup.webcheck.providers import make_provider

    return make_provider(
        searxng_url=settings.WEBCHECK_SEARXNG_URL,
        google_api_key=settings.WEBCHECK_GOOGLE_API_KEY,
        google_engine_id=settings.WEBCHECK_GOOGLE_ENGINE_ID,
        google_endpoint=settings.WEBCHECK_GOOGLE_ENDPOINT,
        timeout=settings.WEBCHECK_READ_TIMEOUT,
    )


def extract_file_text(path, kind: str) -> str:
    """PDF and DOCX pages: the attachment extractors, in a child process under limits."""
    from initiatives.attachments import extraction_limits
    from initiatives.extraction import DONE, extract_in_child

    outcome = extract_in_child(path, kind, extraction_limits())
    return outcome.text if outcome.status == DONE else ""


def web_fetcher():
    from dedup.webcheck.fetch import AddressGuard, Fetcher, FetchLimits, parse_allowed_networks

    return Fetcher(
        guard=AddressGuard(parse_allowed_networks(settings.WEBCHECK_ALLOW_PRIVATE_ADDRESSES)),
        limits=FetchLimits(
            max_bytes=settings.WEBCHECK_MAX_PAGE_BYTES,
            connect_timeout=settings.WEBCHECK_CONNECT_TIMEOUT,
            read_timeout=settings.WEBCHECK_READ_TIMEOUT,
            total_seconds=settings.WEBCHECK_FETCH_SECONDS,
        ),
        extract_file=extract_file_text,
    )


def retrieval_limits():
    from dedup.webcheck.retrieval import RetrievalLimits

    return RetrievalLimits(
        max_queries=settings.WEBCHECK_MAX_QUERIES,
        max_downloads=settings.WEBCHECK_MAX_DOWNLOADS,
        results_per_query=settings.WEBCHECK_RESULTS_PER_QUERY,
        max_per_host=settings.WEBCHECK_MAX_PER_HOST,
    )


def web_source(page: WebSource) -> Source:
    return Source(id=page.source_id, kind=page.kind, ref=page.address, text=page.text)


def web_source_add(
    *,
    kind: str,
    address: str,
    text: str,
    title: str = "",
    content_type: str = "",
    fetched_at=None,
) -> WebSource:
    """Keep (or refresh, by address) a web page or reference text, and index it."""
    with transaction.atomic():
        page = WebSource.objects.select_for_update().filter(address=address).first()
        if page is None:
            page = WebSource(address=address)
        old_kind = page.kind if page.pk else None
        page.kind, page.title, page.text = kind, title[:500], text
        page.content_type = content_type[:100]
        page.fetched_at = fetched_at or timezone.now()
        page.full_clean(validate_unique=False)
        page.save()
        engine = get_engine()
        if old_kind and old_kind != kind:  # a kind change leaves no stale copy
            engine.remove(f"{old_kind}:{page.pk}")
        engine.add(web_source(page))
    return page


def web_source_cached_text(url: str) -> str | None:
    """The text of a page fetched within WEBCHECK_CACHE_DAYS (it is in the index)."""
    fresh_since = timezone.now() - dt.timedelta(days=settings.WEBCHECK_CACHE_DAYS)
    return (
        WebSource.objects.filter(address=url)
        # A reference an operator loaded never goes stale.
        .filter(Q(kind=WebSource.Kind.REFERENCE) | Q(fetched_at__gte=fresh_since))
        .values_list("text", flat=True)
        .first()
    )


@dataclass
class WebCheckOutcome:
    result: CheckResult  # archive and web together
    web: CheckResult
    retrieval: object  # dedup.webcheck.retrieval.Retrieval


def _match_from_row(row: SimilarityMatch) -> Match:
    return Match(
        source_id=row.source_id,
        kind=row.source_kind,
        ref=str(row.source_initiative_id or ""),
        same_author=row.same_author,
        confidential=row.confidential,
        coverage=row.coverage,
        score=row.score,
        flagged=row.flagged,
        passages=tuple(
            Passage(p["start"], p["end"], p["source_start"], p["source_end"]) for p in row.passages
        ),
        quotation=row.source_kind in QUOTATION_KINDS,
        author_name_warning=row.author_name_warning,
    )


def web_retrieve_and_check(
    *,
    text: str,
    author_keys: frozenset[str],
    archive: CheckResult,
    exclude_ids=(),
    provider=None,
) -> WebCheckOutcome:
    """Find the pages ``text`` may copy from, index them, check ``text`` against the
    web and reference sources, and combine with the archive check's ``archive``.

    Raises ``ProviderUnavailable`` when the search provider fails (nothing is lost:
    the pages fetched so far are indexed, the caller retries)."""
    from dedup.webcheck.retrieval import retrieve

    provider = provider or webcheck_provider()
    if provider is None:
        raise ValueError(WEB_NOT_CONFIGURED)
    engine = get_engine()
    known = [
        (p.start, p.end)
        for m in archive.matches
        if m.kind in WEB_KINDS or m.quotation
        for p in m.passages
    ]
    fetcher = web_fetcher()
    try:
        retrieval = retrieve(
            text,
            provider=provider,
            fetch=fetcher.fetch,
            on_page=lambda page: web_source_add(
                kind=WebSource.Kind.WEB,
                address=page.url,
                title=page.title,
                text=page.text,
                content_type=page.content_type,
            ),
            cached_text=web_source_cached_text,
            document_frequencies=engine._term_frequencies,
            covered_spans=known,
            limits=retrieval_limits(),
        )
    finally:
        fetcher.close()
    web = engine.check(
        text, author_keys=author_keys, exclude_ids=exclude_ids, kinds=WEB_CHECK_KINDS
    )
    archive_only = CheckResult(
        flagged=False,
        matches=tuple(m for m in archive.matches if m.kind not in WEB_CHECK_KINDS),
        candidates_considered=archive.candidates_considered,
    )
    result = combine_results(text, [archive_only, web], engine.config)
    return WebCheckOutcome(result=result, web=web, retrieval=retrieval)


def text_web_check(*, text: str, author_keys: frozenset[str] = frozenset()) -> WebCheckOutcome:
    """The archive check and the web check of a text, without saving the text (the pages
    fetched are kept and indexed, as every web check does)."""
    archive = text_check(text=text, author_keys=author_keys)
    return web_retrieve_and_check(text=text, author_keys=author_keys, archive=archive)


def _pending_web_check(initiative: Initiative) -> SimilarityCheck | None:
    latest = (
        initiative.similarity_checks.filter(state=SimilarityCheck.State.DONE)
        .only("id", "web_state")
        .first()
    )
    if latest is not None and latest.web_state == SimilarityCheck.WebState.PENDING:
        return latest
    return None


def _enqueue_web_check(check_id: int) -> None:
    from dedup.tasks import web_check_initiative

    web_check_initiative.delay(check_id)


def initiative_web_check(*, check_id: int) -> SimilarityCheck | None:
    """The web half of an initiative's check; idempotent (a finished one is left alone).

    Runs after the archive check (its evidence is already saved): retrieves and
    indexes pages, checks against them, replaces the check's web and quotation
    evidence, and records the verdict of both halves together.
    """
    check = (
        SimilarityCheck.objects.select_related("initiative")
        .filter(pk=check_id, web_state=SimilarityCheck.WebState.PENDING)
        .first()
    )
    if check is None:
        return None
    initiative = archive_initiatives().get(pk=check.initiative_id)
    archive = CheckResult(
        flagged=bool(check.flagged),
        matches=tuple(_match_from_row(row) for row in check.matches.all()),
        candidates_considered=check.settings_used.get("candidates", 0),
        copied_share=check.settings_used.get("archive_copied_share", 0.0),
    )
    outcome = web_retrieve_and_check(
        text=check.checked_text,
        author_keys=initiative_author_keys(initiative),
        archive=archive,
        exclude_ids=(source_id_of(initiative.pk),),
    )
    result = outcome.result
    flagged_ids = {m.source_id for m in result.matches if m.flagged}
    others = [m for m in result.matches if not m.same_author and not m.quotation]
    with transaction.atomic():
        locked = (
            SimilarityCheck.objects.select_for_update()
            .filter(pk=check_id, web_state=SimilarityCheck.WebState.PENDING)
            .first()
        )
        if locked is None:
            return None
        locked.matches.filter(source_kind__in=WEB_CHECK_KINDS).delete()
        _save_matches(locked, initiative, outcome.web, kinds=WEB_CHECK_KINDS)
        if flagged_ids:
            # Small sources of both halves may flag together (`combine_results`).
            locked.matches.filter(source_id__in=flagged_ids).update(flagged=True)
        retrieval = outcome.retrieval
        locked.flagged = result.flagged
        locked.web_state = SimilarityCheck.WebState.DONE
        locked.web_queries = len(retrieval.queries)
        locked.web_downloads = retrieval.downloads
        locked.web_error = ""
        locked.web_finished_at = timezone.now()
        locked.settings_used = {
            **locked.settings_used,
            "web_queries": retrieval.queries,
            "web_refused": retrieval.refused[:50],
        }
        locked.save(
            update_fields=[
                "flagged",
                "web_state",
                "web_queries",
                "web_downloads",
                "web_error",
                "web_finished_at",
                "settings_used",
            ]
        )
        if _is_latest(locked):
            initiative_record_check(
                initiative=initiative,
                flagged=result.flagged,
                copied_share=result.copied_share,
                source_count=len(others),
            )
    return locked


def _is_latest(check: SimilarityCheck) -> bool:
    return not SimilarityCheck.objects.filter(
        initiative_id=check.initiative_id, pk__gt=check.pk
    ).exists()


def initiative_web_check_give_up(*, check_id: int, error: str) -> SimilarityCheck | None:
    """After its retries the web check is marked not done and the archive verdict stands."""
    with transaction.atomic():
        check = (
            SimilarityCheck.objects.select_for_update()
            .filter(pk=check_id, web_state=SimilarityCheck.WebState.PENDING)
            .first()
        )
        if check is None:
            return None
        check.web_state = SimilarityCheck.WebState.NOT_DONE
        check.web_error = error[:2000]
        check.web_finished_at = timezone.now()
        check.save(update_fields=["web_state", "web_error", "web_finished_at"])
        if _is_latest(check):
            initiative_record_check(
                initiative=check.initiative,
                flagged=bool(check.flagged),
                copied_share=check.settings_used.get("archive_copied_share"),
                source_count=check.settings_used.get("archive_source_count", 0),
            )
    return check


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
    if only_if_empty and not (
        archive_initiatives().exists()
        or ReferenceText.objects.exists()
        or WebSource.objects.exists()
    ):
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
