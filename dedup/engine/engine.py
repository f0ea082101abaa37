"""The similarity check: fingerprints find candidates, alignment confirms them."""

from __future__ import annotations

import dataclasses
import multiprocessing
from collections.abc import Collection, Iterable, Iterator, Sequence
from functools import partial

import numpy as np

from core.text import folded_tokens
from dedup.engine.align import (
    CheckVectors,
    SharedFingerprints,
    align,
    split_units,
    syllable_coverage,
)
from dedup.engine.fingerprint import (
    AnalyzedText,
    Fingerprints,
    all_kgram_hashes,
    analyze,
    combine_kgrams,
    fingerprint,
    syllable_hash,
    syllable_hashes,
    winnow,
)
from dedup.engine.model import (
    QUOTATION_KINDS,
    CheckResult,
    EngineConfig,
    Match,
    Source,
    shares_author,
    shares_typed_name,
)
from dedup.engine.store import (
    IndexStore,
    PreparedSource,
    ProgressCallback,
    StoredDocument,
    compress_text,
)

# Separates the body from each attachment's text in a checked document, so
# that no sentence or k-gram runs across the seam.
PART_SEPARATOR = "\n\n"


def join_parts(parts: Sequence[str]) -> tuple[str, list[tuple[int, int]]]:
    """One text from a body and its attachments' extracted texts.

    Returns the text and the (start, end) of each part in it, so that passage
    offsets can be attributed back to the body or to an attachment.
    """
    spans: list[tuple[int, int]] = []
    position = 0
    for part in parts:
        spans.append((position, position + len(part)))
        position += len(part) + len(PART_SEPARATOR)
    return PART_SEPARATOR.join(parts), spans


def boilerplate_hashes(config: EngineConfig) -> np.ndarray:
    if not config.boilerplate:
        return np.empty(0, dtype=np.uint32)
    hashes = [all_kgram_hashes(text, config.kgram) for text in config.boilerplate]
    return np.unique(np.concatenate(hashes))


def prepare_source(
    source: Source, config: EngineConfig, boilerplate: np.ndarray | None = None
) -> PreparedSource:
    """Fingerprint and compress a source for storage (pure; runs in workers)."""
    per_syllable = syllable_hashes(folded_tokens(source.text))
    hashes = combine_kgrams(per_syllable, config.kgram)
    fingerprints = np.unique(hashes[winnow(hashes, config.window)])
    if boilerplate is not None and len(boilerplate):
        fingerprints = fingerprints[~np.isin(fingerprints, boilerplate, assume_unique=True)]
    metadata_only = dataclasses.replace(source, text="")
    return PreparedSource(
        metadata_only,
        fingerprints,
        compress_text(source.text),
        # The same keys as term_hashes(set(tokens)), without hashing twice.
        np.unique(per_syllable).view(np.int64),
    )


def _union_coverage(aligned: list[np.ndarray], query_units) -> float:
    if not aligned:
        return 0.0
    return syllable_coverage(np.concatenate(aligned), query_units)


def term_hashes(terms) -> np.ndarray:
    """int64 keys of folded syllables, as the index counts them."""
    return np.asarray([syllable_hash(t) for t in terms], dtype=np.uint64).view(np.int64)


class Engine:
    """Archive similarity check over an ``IndexStore``."""

    def __init__(self, store: IndexStore, config: EngineConfig | None = None) -> None:
        self.store = store
        self.config = config or EngineConfig()
        self._boilerplate = boilerplate_hashes(self.config)

    # Index maintenance -------------------------------------------------

    def add(self, source: Source) -> None:
        """Index ``source``, replacing any earlier version with the same id."""
        self.store.add(prepare_source(source, self.config, self._boilerplate))

    def remove(self, source_id: str) -> bool:
        return self.store.remove(source_id)

    def compact(self) -> None:
        self.store.compact(common_df=self.config.common_df)

    def rebuild(
        self,
        sources: Iterable[Source],
        *,
        progress: ProgressCallback | None = None,
        processes: int = 1,
    ) -> int:
        """Replace the index with ``sources``; returns how many were indexed.

        With ``processes > 1`` fingerprinting and compression run in a pool of
        forked workers while the store writes in this process.
        """
        prepare = partial(prepare_source, config=self.config, boilerplate=self._boilerplate)
        if processes <= 1:
            return self.store.bulk_load(
                map(prepare, sources), common_df=self.config.common_df, progress=progress
            )
        context = multiprocessing.get_context("fork")
        with context.Pool(processes) as pool:
            prepared: Iterator[PreparedSource] = pool.imap(prepare, sources, chunksize=64)
            return self.store.bulk_load(
                prepared, common_df=self.config.common_df, progress=progress
            )

    # The check ----------------------------------------------------------

    def check(
        self,
        text: str,
        *,
        author_keys: Collection[str] = (),
        exclude_ids: Collection[str] = (),
        kinds: Collection[str] | None = None,
    ) -> CheckResult:
        """Find archive sources that ``text`` copies from, wholly or in part.

        ``author_keys`` are the keys of every author of ``text``: sources
        sharing an account or member key are reported as own earlier work
        (``same_author``) and never flag; typed-name keys (``name:``) only
        raise ``author_name_warning``. ``exclude_ids`` are source ids to
        ignore, typically the checked initiative's own earlier version.
        ``kinds`` restricts the check to sources of those kinds (default:
        every kind in the index). Matches with law and form texts are
        quotations: shown, never flagged, and the quoted sentences count as
        copying from no other source either.
        """
        config = self.config
        query = analyze(text)
        query_fingerprints = fingerprint(query, config.kgram, config.window)
        candidates, shared_counts, postings = self._candidates(
            query_fingerprints, exclude_ids, kinds
        )
        if not candidates:
            return CheckResult(flagged=False, matches=(), candidates_considered=0)

        query_units = split_units(query, config, self._boilerplate)
        analyzed_sources = [analyze(document.text) for document in candidates]
        source_units = [split_units(a, config, self._boilerplate) for a in analyzed_sources]
        vectors = CheckVectors(query_units, source_units, self._term_frequencies)
        quoted = np.zeros(len(query_units), dtype=bool)
        found: list[tuple[Match, np.ndarray]] = []
        for index, document in enumerate(candidates):
            shared = self._shared_positions(
                query_fingerprints, analyzed_sources[index], postings[document.doc_no]
            )
            is_quotation = document.kind in QUOTATION_KINDS
            alignment = align(
                query_units,
                source_units[index],
                shared,
                vectors,
                index,
                config,
                blocked_query_units=None if is_quotation else quoted,
            )
            if not alignment.passages:
                continue
            if is_quotation:
                quoted[alignment.aligned_units] = True
            same_author = shares_author(author_keys, document.author_keys)
            covered = syllable_coverage(alignment.aligned_units, query_units)
            longest = max(p.length for p in alignment.passages)
            match = Match(
                source_id=document.source_id,
                kind=document.kind,
                ref=document.ref,
                same_author=same_author,
                confidential=document.confidential,
                coverage=covered,
                score=alignment.score,
                flagged=not is_quotation
                and config.flag_rule.flags(
                    same_author=same_author,
                    coverage=covered,
                    longest_passage=longest,
                    score=alignment.score,
                ),
                passages=alignment.passages,
                shared_fingerprints=shared_counts[document.doc_no],
                quotation=is_quotation,
                author_name_warning=not same_author
                and shares_typed_name(author_keys, document.author_keys),
                source_text=document.text,
            )
            found.append((match, alignment.aligned_units))
        matches, copied_share = self._flag_total(found, query_units)
        matches.sort(key=lambda m: (m.quotation, not m.flagged, -m.coverage))
        return CheckResult(
            flagged=any(m.flagged for m in matches),
            matches=tuple(matches),
            candidates_considered=len(candidates),
            copied_share=copied_share,
        )

    def _flag_total(
        self, found: list[tuple[Match, np.ndarray]], query_units
    ) -> tuple[list[Match], float]:
        """Flag the small sources when together they cover
        ``min_total_coverage`` of the text, though none does alone.

        Returns the matches and the share of the text copied from other
        people's sources, all together.
        """
        rule = self.config.flag_rule
        others = [(m, units) for m, units in found if not m.same_author and not m.quotation]
        small = [
            index
            for index, (match, _units) in enumerate(found)
            if not match.same_author
            and not match.quotation
            and not match.flagged
            and max(p.length for p in match.passages) >= rule.min_passage_chars
            and match.score >= rule.min_score
        ]
        matches = [match for match, _units in found]
        if small and _union_coverage([found[i][1] for i in small], query_units) >= (
            rule.total_coverage
        ):
            for index in small:
                matches[index] = dataclasses.replace(matches[index], flagged=True)
        return matches, _union_coverage([units for _m, units in others], query_units)

    def _term_frequencies(self, terms: list[str]) -> tuple[np.ndarray, int]:
        return self.store.term_frequencies(term_hashes(terms)), self.store.document_count()

    def _candidates(
        self,
        query_fingerprints: Fingerprints,
        exclude_ids: Collection[str],
        kinds: Collection[str] | None,
    ) -> tuple[list[StoredDocument], dict[int, int], dict[int, np.ndarray]]:
        """The sources worth aligning, quotation texts first, then best first.

        Returns them with their shared-fingerprint counts and the shared
        fingerprints themselves (by doc_no). The ``max_candidates`` sources
        sharing the most fingerprints go on; after them, a source goes on
        only while it holds at least ``min_shared_fingerprints`` that neither
        a quotation text nor any source before it holds, up to
        ``candidate_limit``: the candidate set grows as long as there is new
        evidence, not to a fixed size.
        """
        config = self.config
        wanted = np.unique(query_fingerprints.hashes)
        if len(self._boilerplate):
            wanted = wanted[~np.isin(wanted, self._boilerplate, assume_unique=True)]
        if len(wanted) == 0:
            return [], {}, {}
        found_fingerprints, found_doc_nos = self.store.postings(wanted)
        if len(found_fingerprints) == 0:
            return [], {}, {}
        # Document frequency is read off the postings of the whole index:
        # text held by common_df(N) documents or more is common text.
        distinct, inverse, document_frequency = np.unique(
            found_fingerprints, return_inverse=True, return_counts=True
        )
        common = config.is_common(document_frequency, self.store.document_count())
        keep = ~common[inverse]
        found_fingerprints, found_doc_nos = found_fingerprints[keep], found_doc_nos[keep]
        doc_nos, counts = np.unique(found_doc_nos, return_counts=True)
        eligible = counts >= config.min_shared_fingerprints
        doc_nos, counts = doc_nos[eligible], counts[eligible]
        if len(doc_nos) == 0:
            return [], {}, {}
        order = np.argsort(-counts, kind="stable")
        # Stale doc_nos (replaced or removed versions awaiting compaction),
        # excluded ids and sources of other kinds are only known after the
        # fetch: ask for a few more than the limit.
        asked = order[: config.candidate_limit + len(exclude_ids) + 4]
        documents = self.store.documents([int(n) for n in doc_nos[asked]])
        by_doc_no = {
            d.doc_no: d
            for d in documents
            if d.source_id not in exclude_ids and (kinds is None or d.kind in kinds)
        }
        shared_counts = dict(zip(doc_nos.tolist(), counts.tolist(), strict=True))
        ranked = [by_doc_no[n] for n in doc_nos[asked].tolist() if n in by_doc_no]
        # Quotation texts first: what they explain is evidence for nobody.
        ranked.sort(key=lambda d: d.kind not in QUOTATION_KINDS)
        postings: dict[int, np.ndarray] = {}
        for document in ranked:
            postings[document.doc_no] = found_fingerprints[found_doc_nos == document.doc_no]
        chosen: list[StoredDocument] = []
        seen = np.empty(0, dtype=np.uint32)
        others = 0
        for document in ranked:
            if len(chosen) >= config.candidate_limit:
                break
            held = postings[document.doc_no]
            quotation = document.kind in QUOTATION_KINDS
            if not quotation and others >= config.max_candidates:
                new = np.setdiff1d(held, seen, assume_unique=True)
                if len(new) < config.min_shared_fingerprints:
                    continue
            chosen.append(document)
            others += not quotation
            seen = np.union1d(seen, held)
        return chosen, shared_counts, {d.doc_no: postings[d.doc_no] for d in chosen}

    def _shared_positions(
        self,
        query_fingerprints: Fingerprints,
        source: AnalyzedText,
        shared_hashes: np.ndarray,
    ) -> SharedFingerprints:
        """Where each shared fingerprint sits in the query and in the source."""
        source_fingerprints = fingerprint(source, self.config.kgram, self.config.window)
        query_mask = np.isin(query_fingerprints.hashes, shared_hashes)
        source_mask = np.isin(source_fingerprints.hashes, shared_hashes)
        query_hashes = query_fingerprints.hashes[query_mask]
        query_positions = query_fingerprints.positions[query_mask]
        source_hashes = source_fingerprints.hashes[source_mask]
        source_positions = source_fingerprints.positions[source_mask]
        # Pair every occurrence in the query with every occurrence in the
        # source (a fingerprint repeated within a text is rare; the product
        # stays small).
        order = np.argsort(source_hashes, kind="stable")
        source_hashes, source_positions = source_hashes[order], source_positions[order]
        lefts = np.searchsorted(source_hashes, query_hashes, side="left")
        rights = np.searchsorted(source_hashes, query_hashes, side="right")
        pairs_query: list[int] = []
        pairs_source: list[int] = []
        pairs_hash: list[int] = []
        for position, fingerprint_hash, left, right in zip(
            query_positions.tolist(),
            query_hashes.tolist(),
            lefts.tolist(),
            rights.tolist(),
            strict=True,
        ):
            for k in range(left, right):
                pairs_query.append(position)
                pairs_source.append(int(source_positions[k]))
                pairs_hash.append(fingerprint_hash)
        return SharedFingerprints(
            np.asarray(pairs_query, dtype=np.int64),
            np.asarray(pairs_source, dtype=np.int64),
            np.asarray(pairs_hash, dtype=np.uint32),
        )


def passage_coverage(text: str, matches: Sequence[Match]) -> float:
    """Share of ``text``'s syllables inside the passages of ``matches``, all together."""
    starts = analyze(text).token_starts
    if len(starts) == 0:
        return 0.0
    inside = np.zeros(len(starts), dtype=bool)
    for match in matches:
        for passage in match.passages:
            inside |= (starts >= passage.start) & (starts < passage.end)
    return float(inside.mean())


def combine_results(text: str, results: Sequence[CheckResult], config: EngineConfig) -> CheckResult:
    """One verdict over checks of the same text against different kinds of sources
    (the archive check, then the web check): the same flag rule as ``Engine.check``.

    Matches are kept as each check found them; the sources too small to flag alone
    flag together when their passages cover ``min_total_coverage`` of the text
    between them, whichever check found them. ``copied_share`` is the union of the
    passages of other people's sources.
    """
    rule = config.flag_rule
    matches = [m for result in results for m in result.matches]
    others = [m for m in matches if not m.same_author and not m.quotation]
    small = [
        m
        for m in others
        if not m.flagged
        and max(p.length for p in m.passages) >= rule.min_passage_chars
        and m.score >= rule.min_score
    ]
    if small and passage_coverage(text, small) >= rule.total_coverage:
        small_ids = {m.source_id for m in small}
        matches = [
            dataclasses.replace(m, flagged=True) if m.source_id in small_ids else m for m in matches
        ]
    matches.sort(key=lambda m: (m.quotation, not m.flagged, -m.coverage))
    return CheckResult(
        flagged=any(m.flagged for m in matches),
        matches=tuple(matches),
        candidates_considered=sum(r.candidates_considered for r in results),
        copied_share=passage_coverage(text, others),
    )
