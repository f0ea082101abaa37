"""Source retrieval: queries, search, download filtering, within fixed budgets.

For each chunk not yet covered (in text order; a second round asks the chunks
still uncovered with their next best phrases while queries are left):

1. send the chunk's query to the provider, take its top results;
2. a result already in the index (a page fetched before, within the cache's
   life) is not downloaded again: its cached text counts at once;
3. otherwise download it, within the download budget and a per-host limit: the
   first result of a query unless its snippet shows only text a page already
   taken holds (a mirror), the others only if their snippet shares runs of
   syllables with the text that no page taken holds (PAN's download filtering);
   a query takes at most its share of the downloads left (divided by the queries
   still to come), so the first chunks cannot spend the last chunks' budget;
4. every page obtained marks the chunks it covers (half of a chunk's syllable
   5-grams found in it), which are not asked again.

The checking itself is the archive engine's: the pages enter the shared index and
the text is checked against it (``dedup.services``).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from core.text import folded_tokens
from dedup.engine.fingerprint import analyze, kgram_hashes
from dedup.webcheck.fetch import FetchedPage, FetchRefused, host_of, is_web_address
from dedup.webcheck.providers import SearchProvider
from dedup.webcheck.queries import (
    Chunk,
    DocumentFrequencies,
    idf_weights,
    make_chunks,
    next_query,
    rank_phrases,
)

KGRAM = 5
SNIPPET_KGRAM = 3


@dataclass(frozen=True)
class RetrievalLimits:
    max_queries: int = 10
    max_downloads: int = 15
    results_per_query: int = 10
    max_per_host: int = 4
    min_chunk_syllables: int = 40
    phrase_syllables: int = 5
    phrases_per_query: int = 3
    # A chunk is covered when this share of its syllable 5-grams is in a page found.
    covered_share: float = 0.5


@dataclass
class Retrieval:
    queries: list[str] = field(default_factory=list)
    downloaded: list[FetchedPage] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)  # URLs whose cached text was used
    refused: list[tuple[str, str]] = field(default_factory=list)  # (url, reason)
    chunks: int = 0
    chunks_covered_before: int = 0
    seconds: float = 0.0

    @property
    def downloads(self) -> int:
        """Download attempts, refused ones included: what the budget counts."""
        return len(self.downloaded) + len(self.refused)


def retrieve(
    text: str,
    *,
    provider: SearchProvider,
    fetch: Callable[[str], FetchedPage],
    on_page: Callable[[FetchedPage], None],
    cached_text: Callable[[str], str | None] = lambda url: None,
    document_frequencies: DocumentFrequencies | None = None,
    covered_spans: list[tuple[int, int]] = (),
    excluded_spans: list[tuple[int, int]] = (),
    limits: RetrievalLimits = RetrievalLimits(),
) -> Retrieval:
    """Find and fetch the pages ``text`` may copy from. ``on_page`` stores each page
    (the caller indexes it); ``covered_spans`` are character spans already matched
    with known sources (no query for them); ``excluded_spans`` never enter a query
    (registered boilerplate). Raises ``ProviderUnavailable`` if the provider fails."""
    started = time.monotonic()
    report = Retrieval()
    analyzed = analyze(text)
    chunks = make_chunks(
        analyzed,
        max_chunks=limits.max_queries,
        min_syllables=limits.min_chunk_syllables,
        kgram=KGRAM,
    )
    report.chunks = len(chunks)
    if not chunks:
        return report
    starts = analyzed.token_starts
    excluded_tokens = _tokens_in(starts, excluded_spans)
    idf = idf_weights(analyzed, document_frequencies)
    for chunk in chunks:
        chunk.phrases = rank_phrases(
            analyzed,
            chunk,
            idf,
            phrase_syllables=limits.phrase_syllables,
            excluded_tokens=excluded_tokens,
        )
    covered = _covered_by_spans(chunks, starts, covered_spans)
    report.chunks_covered_before = int(covered.sum())
    document_snippet_grams = set(kgram_hashes(analyzed.tokens, SNIPPET_KGRAM).tolist())
    found_grams: set[int] = set()
    seen: set[str] = set()
    not_cached: set[str] = set()  # asked the cache once already
    per_host: Counter[str] = Counter()

    found_snippet_grams: set[int] = set()

    def take(page_text: str) -> None:
        tokens = folded_tokens(page_text)
        found_grams.update(kgram_hashes(tokens, KGRAM).tolist())
        found_snippet_grams.update(kgram_hashes(tokens, SNIPPET_KGRAM).tolist())
        for chunk in chunks:
            if not covered[chunk.index] and len(chunk.kgrams):
                shared = np.isin(chunk.kgrams, np.fromiter(found_grams, np.uint32)).mean()
                covered[chunk.index] = shared >= limits.covered_share

    rounds = max(1, limits.max_queries)
    for _round in range(rounds):
        asked = False
        for chunk in chunks:
            if len(report.queries) >= limits.max_queries:
                break
            if covered[chunk.index]:
                continue
            query = next_query(analyzed, chunk, phrases_per_query=limits.phrases_per_query)
            if not query:
                continue
            asked = True
            hits = provider.search(query, count=limits.results_per_query)
            report.queries.append(query)
            # The download budget is spread over the queries still to come: this query
            # takes no more than its share, so that the chunks asked last still get
            # their pages. A result passed over for that may be taken from a later query.
            waiting = 1 + sum(1 for later in chunks[chunk.index + 1 :] if not covered[later.index])
            left = limits.max_downloads - report.downloads
            share = max(1, -(-left // min(waiting, limits.max_queries - len(report.queries) + 1)))
            taken_here = 0
            for rank, hit in enumerate(hits[: limits.results_per_query]):
                url = hit.url.split("#", 1)[0]
                if not is_web_address(url) or url in seen:
                    continue
                known = None if url in not_cached else cached_text(url)
                not_cached.add(url)
                if known:
                    seen.add(url)
                    report.reused.append(url)
                    take(known)
                    continue
                if report.downloads >= limits.max_downloads or taken_here >= share:
                    continue
                if hit.snippet:
                    # PAN's download filtering: the snippet must share runs of syllables
                    # with the text (the first result gets the benefit of the doubt),
                    # and runs no page taken holds (else it is a mirror of one).
                    shared = _snippet_shared(hit.snippet, document_snippet_grams)
                    new = shared - found_snippet_grams
                    if (rank > 0 and len(new) < 2) or (shared and not new):
                        continue
                host = host_of(url)
                if per_host[host] >= limits.max_per_host:
                    continue
                seen.add(url)
                per_host[host] += 1
                taken_here += 1
                try:
                    page = fetch(url)
                except FetchRefused as refused:
                    report.refused.append((url, refused.reason))
                    continue
                report.downloaded.append(page)
                on_page(page)
                take(page.text)
        if not asked or len(report.queries) >= limits.max_queries:
            break
    report.seconds = time.monotonic() - started
    return report


def _tokens_in(starts: np.ndarray, spans) -> set[int]:
    tokens: set[int] = set()
    for start, end in spans:
        tokens.update(np.nonzero((starts >= start) & (starts < end))[0].tolist())
    return tokens


def _covered_by_spans(chunks: list[Chunk], starts: np.ndarray, spans) -> np.ndarray:
    covered = np.zeros(len(chunks), dtype=bool)
    if not spans:
        return covered
    inside = np.zeros(len(starts), dtype=bool)
    for start, end in spans:
        inside |= (starts >= start) & (starts < end)
    for chunk in chunks:
        tokens = inside[chunk.token_start : chunk.token_end]
        covered[chunk.index] = len(tokens) > 0 and tokens.mean() >= 0.5
    return covered


def _snippet_shared(snippet: str, document_grams: set[int]) -> set[int]:
    """The snippet's syllable 3-grams that the checked text holds too."""
    return set(kgram_hashes(folded_tokens(snippet), SNIPPET_KGRAM).tolist()) & document_grams
