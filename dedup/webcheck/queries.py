"""Query formulation (PAN source retrieval): chunks and their most distinctive phrases.

The text is analysed exactly as the archive check analyses it (``analyze``: the same
normalisation, so zero-width characters, look-alike letters and input-method
leftovers are undone before a query is written). It is cut into at most
``max_queries`` chunks of consecutive syllables; in each chunk, every window of
``phrase_syllables`` syllables inside one sentence is scored by the IDF of its
distinct syllables, IDF from the archive index (``dedup_term``), so that words
every initiative uses weigh little; number tokens and registered boilerplate never
enter a phrase. A query is the best phrase of each third of the chunk (the next
best ones on a later round), in text order, written with their diacritics.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection
from dataclasses import dataclass, field

import numpy as np

from core.text import NUMBER_TOKEN
from dedup.engine.fingerprint import AnalyzedText, kgram_hashes

# (folded syllables) -> (how many indexed documents hold each, how many documents)
DocumentFrequencies = Callable[[list[str]], tuple[np.ndarray, int]]


@dataclass
class Chunk:
    index: int
    token_start: int
    token_end: int
    start: int  # character offsets into the text
    end: int
    kgrams: np.ndarray = field(repr=False, default_factory=lambda: np.empty(0, np.uint32))
    phrases: list[tuple[int, int]] = field(default_factory=list)  # (token start, end)
    used_phrases: int = 0


def make_chunks(
    analyzed: AnalyzedText, *, max_chunks: int, min_syllables: int = 40, kgram: int = 5
) -> list[Chunk]:
    """At most ``max_chunks`` runs of consecutive syllables, cut at sentence ends
    where one is near, each at least ``min_syllables`` long (a short text has fewer)."""
    count = len(analyzed.tokens)
    if count == 0 or max_chunks <= 0:
        return []
    size = max(min_syllables, math.ceil(count / max_chunks))
    sentence_starts = analyzed.sentence_token_bounds
    chunks: list[Chunk] = []
    start = 0
    while start < count:
        end = min(count, start + size)
        if end < count:
            # Snap to a sentence start within a quarter chunk, so phrases and
            # chunks follow the text's own seams.
            near = sentence_starts[
                (sentence_starts > start + size * 3 // 4) & (sentence_starts <= end + size // 4)
            ]
            if len(near):
                end = int(near[np.argmin(np.abs(near - end))])
        if count - end < min_syllables // 2:
            end = count  # no stub at the end
        chunks.append(
            Chunk(
                index=len(chunks),
                token_start=start,
                token_end=end,
                start=int(analyzed.token_starts[start]),
                end=int(analyzed.token_ends[end - 1]),
                kgrams=np.unique(kgram_hashes(analyzed.tokens[start:end], kgram)),
            )
        )
        start = end
    return chunks


def idf_weights(
    analyzed: AnalyzedText, document_frequencies: DocumentFrequencies | None
) -> dict[str, float]:
    """Smoothed IDF, ln((1+N)/(1+df))+1, of the text's folded syllables over the index."""
    terms = sorted(set(analyzed.tokens))
    if document_frequencies is None or not terms:
        return dict.fromkeys(terms, 1.0)
    frequencies, total = document_frequencies(terms)
    return {
        term: math.log((1 + total) / (1 + int(df))) + 1.0
        for term, df in zip(terms, frequencies.tolist(), strict=True)
    }


def rank_phrases(
    analyzed: AnalyzedText,
    chunk: Chunk,
    idf: dict[str, float],
    *,
    phrase_syllables: int = 5,
    excluded_tokens: Collection[int] = (),
) -> list[tuple[int, int]]:
    """The chunk's phrases, best first, none overlapping another."""
    tokens = analyzed.tokens
    excluded = set(excluded_tokens)
    # Sentence of each token, so that a phrase never runs across a sentence end.
    sentence_of = np.searchsorted(
        analyzed.sentence_token_bounds, np.arange(len(tokens)), side="right"
    )
    scored: list[tuple[float, int]] = []
    last = chunk.token_end - phrase_syllables
    for first in range(chunk.token_start, max(chunk.token_start, last) + 1):
        end = min(first + phrase_syllables, chunk.token_end)
        window = range(first, end)
        if sentence_of[first] != sentence_of[end - 1]:
            continue
        if any(tokens[i] == NUMBER_TOKEN or i in excluded for i in window):
            continue
        distinct = {tokens[i] for i in window}
        score = sum(idf.get(t, 1.0) for t in distinct) * len(distinct) / len(window)
        scored.append((score, first))
    scored.sort(key=lambda item: (-item[0], item[1]))
    chosen: list[tuple[int, int]] = []
    taken: set[int] = set()
    seen: set[tuple[str, ...]] = set()
    for _score, first in scored:
        window = set(range(first, min(first + phrase_syllables, chunk.token_end)))
        words = tuple(tokens[first : first + len(window)])
        if window & taken or words in seen:  # a repeated phrase asks nothing new
            continue
        chosen.append((first, first + len(window)))
        taken |= window
        seen.add(words)
    return chosen


def phrase_text(analyzed: AnalyzedText, phrase: tuple[int, int]) -> str:
    """A phrase as a search engine should see it: the normalised syllables, with their
    diacritics when the text had them."""
    return " ".join(analyzed.exact_tokens[phrase[0] : phrase[1]])


def next_query(analyzed: AnalyzedText, chunk: Chunk, *, phrases_per_query: int = 3) -> str | None:
    """The chunk's next query: the next best phrase of each of its ``phrases_per_query``
    parts, in text order; None when spent.

    One phrase per part, not the best ones wherever they are: a passage copied into
    part of a chunk then has a phrase of its own in the query, whichever part of the
    chunk holds the most distinctive words.
    """
    parts = _parts(chunk, phrases_per_query)
    picked = []
    for start, end in parts:
        inside = [p for p in chunk.phrases if start <= p[0] < end]
        if chunk.used_phrases < len(inside):
            picked.append(inside[chunk.used_phrases])
    if not picked:
        return None
    chunk.used_phrases += 1
    return " ".join(phrase_text(analyzed, p) for p in sorted(picked))


def _parts(chunk: Chunk, count: int) -> list[tuple[int, int]]:
    size = max(1, -(-(chunk.token_end - chunk.token_start) // max(1, count)))
    return [
        (start, min(start + size, chunk.token_end))
        for start in range(chunk.token_start, chunk.token_end, size)
    ]
