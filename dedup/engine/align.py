"""Passage alignment between a checked text and candidate sources.

After Sanchez-Perez, Sidorov and Gelbukh, "A Winning Approach to Text
Alignment for Text Reuse Detection at PAN 2014": both texts are cut into
sentence-sized units, each unit becomes a TF-IDF vector (scikit-learn, syllable
unigrams, IDF estimated over the units of this check), unit pairs similar by
both cosine and Dice are seeds, and seeds close to each other on both sides
are merged into passages. Sentence-level matching is what survives reordered
sentences, dropped or changed words and changed punctuation, which break the
exact n-grams that fingerprints rely on.

Two additions for this archive:
- a unit pair that shares a winnowed fingerprint needs a lower cosine to be a
  seed (fingerprints are strong evidence of verbatim copying);
- a passage must contain ``min_passage_fingerprints`` shared fingerprints that
  are not stop-listed, so form headings and stock phrases, which are similar
  sentence by sentence in every initiative, can never form a passage alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from dedup.engine.fingerprint import AnalyzedText, kgram_hashes
from dedup.engine.model import EngineConfig, Passage


def _identity(tokens: list[str]) -> list[str]:
    return tokens


@dataclass(frozen=True, slots=True)
class Units:
    """Sentence-sized spans of an analysed text, as token index bounds."""

    analyzed: AnalyzedText
    # Unit i covers tokens [bounds[i], bounds[i + 1]).
    bounds: np.ndarray
    # Units made mostly of registered boilerplate k-grams.
    boilerplate: np.ndarray

    def __len__(self) -> int:
        return max(len(self.bounds) - 1, 0)

    def token_lists(self) -> list[list[str]]:
        tokens = self.analyzed.tokens
        return [tokens[self.bounds[i] : self.bounds[i + 1]] for i in range(len(self))]

    def unit_of_token(self, token_indices: np.ndarray) -> np.ndarray:
        return np.searchsorted(self.bounds, token_indices, side="right") - 1


def split_units(
    analyzed: AnalyzedText, config: EngineConfig, boilerplate: np.ndarray | None = None
) -> Units:
    """Sentences, long ones cut into near-equal chunks, short ones merged on.

    Long sentences are cut so that a copied sentence is compared with
    something of its own size (a text without full stops would otherwise be a
    single "sentence"); fragments shorter than ``min_unit_syllables`` carry
    too little to compare and join the following unit.
    """
    bounds: list[int] = [0]
    sentence_bounds = analyzed.sentence_token_bounds.tolist()
    for start, end in zip(sentence_bounds[:-1], sentence_bounds[1:], strict=True):
        length = end - start
        pieces = -(-length // config.max_unit_syllables)
        for piece in range(1, pieces + 1):
            cut = start + (length * piece) // pieces
            if cut - bounds[-1] >= config.min_unit_syllables:
                bounds.append(cut)
    total = len(analyzed.tokens)
    if total and bounds[-1] != total:
        if len(bounds) > 1:
            bounds[-1] = total  # a short tail joins the last unit
        else:
            bounds.append(total)
    unit_bounds = np.asarray(bounds, dtype=np.int64)
    return Units(
        analyzed, unit_bounds, _boilerplate_units(analyzed, unit_bounds, config, boilerplate)
    )


def _boilerplate_units(
    analyzed: AnalyzedText,
    bounds: np.ndarray,
    config: EngineConfig,
    boilerplate: np.ndarray | None,
) -> np.ndarray:
    """Units at least half of whose k-grams are registered boilerplate."""
    unit_count = max(len(bounds) - 1, 0)
    if boilerplate is None or len(boilerplate) == 0 or unit_count == 0:
        return np.zeros(unit_count, dtype=bool)
    hashes = kgram_hashes(analyzed.tokens, config.kgram)
    if len(hashes) == 0:
        return np.zeros(unit_count, dtype=bool)
    in_boilerplate = np.isin(hashes, boilerplate)
    # k-gram i starts at token i; attribute it to the unit holding that token.
    unit_of_kgram = np.searchsorted(bounds, np.arange(len(hashes)), side="right") - 1
    boilerplate_count = np.bincount(unit_of_kgram, weights=in_boilerplate, minlength=unit_count)
    kgram_count = np.bincount(unit_of_kgram, minlength=unit_count)
    return boilerplate_count[:unit_count] * 2 >= np.maximum(kgram_count[:unit_count], 1)


@dataclass(frozen=True, slots=True)
class SharedFingerprints:
    """Non-common fingerprints a query shares with one source, by position."""

    query_positions: np.ndarray  # token index in the query
    source_positions: np.ndarray  # token index in the source, pairwise


@dataclass(frozen=True, slots=True)
class Alignment:
    passages: tuple[Passage, ...]
    score: float


class CheckVectors:
    """TF-IDF of every unit of one check: the query and all its candidates.

    One vectorizer for the whole check keeps the cost of scikit-learn to one
    fit per check, and gives IDF weights drawn from the texts being compared.
    """

    def __init__(self, query: Units, sources: list[Units]) -> None:
        documents = query.token_lists()
        for source in sources:
            documents.extend(source.token_lists())
        whole_texts = [query.analyzed.tokens] + [s.analyzed.tokens for s in sources]
        self._vectorizer = TfidfVectorizer(analyzer=_identity, lowercase=False)
        unit_matrix = self._vectorizer.fit_transform(documents).tocsr()
        self._whole = self._vectorizer.transform(whole_texts).tocsr()
        offsets = np.cumsum([0, len(query)] + [len(s) for s in sources])
        self._unit_matrices = [
            unit_matrix[offsets[i] : offsets[i + 1]] for i in range(len(offsets) - 1)
        ]

    def query_units(self) -> sp.csr_matrix:
        return self._unit_matrices[0]

    def source_units(self, index: int) -> sp.csr_matrix:
        return self._unit_matrices[index + 1]

    def whole_text_cosine(self, index: int) -> float:
        return float(self._whole[0].multiply(self._whole[index + 1]).sum())


def align(
    query: Units,
    source: Units,
    shared: SharedFingerprints,
    vectors: CheckVectors,
    source_index: int,
    config: EngineConfig,
) -> Alignment:
    score = vectors.whole_text_cosine(source_index)
    if len(query) == 0 or len(source) == 0:
        return Alignment((), score)
    query_matrix = vectors.query_units()
    source_matrix = vectors.source_units(source_index)
    cosine = (query_matrix @ source_matrix.T).toarray()
    query_binary = query_matrix.copy()
    query_binary.data[:] = 1.0
    source_binary = source_matrix.copy()
    source_binary.data[:] = 1.0
    common_terms = (query_binary @ source_binary.T).toarray()
    term_counts_query = np.asarray(query_binary.sum(axis=1)).ravel()
    term_counts_source = np.asarray(source_binary.sum(axis=1)).ravel()
    dice = 2 * common_terms / np.maximum(term_counts_query[:, None] + term_counts_source, 1)

    query_units_with_fp = query.unit_of_token(shared.query_positions)
    source_units_with_fp = source.unit_of_token(shared.source_positions)
    shares_fingerprint = np.zeros_like(cosine, dtype=bool)
    shares_fingerprint[query_units_with_fp, source_units_with_fp] = True

    is_seed = ((cosine >= config.seed_cosine) & (dice >= config.seed_dice)) | (
        shares_fingerprint & (cosine >= config.fingerprint_seed_cosine)
    )
    # Cosine over a handful of syllables is noise ("Tên sáng kiến: X" against
    # "Tên sáng kiến: Y"): short units seed only with a shared fingerprint.
    short_query_units = np.diff(query.bounds) < config.short_unit_syllables
    is_seed[short_query_units, :] &= shares_fingerprint[short_query_units, :]
    # Registered boilerplate (the form's headings) is identical in every
    # initiative: as a seed it would glue a passage to the nearest heading.
    is_seed[query.boilerplate, :] = False
    is_seed[:, source.boilerplate] = False
    seeds = _best_seed_per_query_unit(is_seed, cosine)
    if not seeds:
        return Alignment((), score)
    passages = []
    for cluster in _cluster(seeds, config.max_gap):
        passage = _passage(cluster, query, source)
        if _evidence(passage, query, shared) >= config.min_passage_fingerprints:
            passages.append(passage)
    passages.sort(key=lambda p: p.start)
    return Alignment(tuple(passages), score)


def _best_seed_per_query_unit(is_seed: np.ndarray, cosine: np.ndarray) -> list[tuple[int, int]]:
    # A query sentence copied once matches one source sentence; keeping only
    # its best partner stops repeated sentences in the source from stretching
    # a passage across unrelated text.
    masked = np.where(is_seed, cosine, -1.0)
    best = masked.argmax(axis=1)
    rows = np.flatnonzero(masked[np.arange(len(best)), best] >= 0)
    return [(int(row), int(best[row])) for row in rows]


def _cluster(seeds: list[tuple[int, int]], max_gap: int) -> list[list[tuple[int, int]]]:
    """Connected groups of seeds at most ``max_gap`` units apart on both sides."""
    parent = list(range(len(seeds)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, (query_i, source_i) in enumerate(seeds):
        for j in range(i + 1, len(seeds)):
            query_j, source_j = seeds[j]
            if query_j - query_i > max_gap:
                break  # seeds are sorted by query unit
            if abs(source_j - source_i) <= max_gap:
                parent[root(j)] = root(i)
    groups: dict[int, list[tuple[int, int]]] = {}
    for i, seed in enumerate(seeds):
        groups.setdefault(root(i), []).append(seed)
    return list(groups.values())


# Punctuation that closes a sentence or a quotation: a passage ending on a
# sentence's last syllable takes it along, so reviewers see whole sentences.
_CLOSING_PUNCTUATION = frozenset(".!?;:…\"'”’)]»")


def _passage(cluster: list[tuple[int, int]], query: Units, source: Units) -> Passage:
    query_first = min(q for q, _ in cluster)
    query_last = max(q for q, _ in cluster)
    source_first = min(s for _, s in cluster)
    source_last = max(s for _, s in cluster)
    return Passage(
        start=int(query.analyzed.token_starts[query.bounds[query_first]]),
        end=_through_closing_punctuation(
            query.analyzed.text, int(query.analyzed.token_ends[query.bounds[query_last + 1] - 1])
        ),
        source_start=int(source.analyzed.token_starts[source.bounds[source_first]]),
        source_end=_through_closing_punctuation(
            source.analyzed.text,
            int(source.analyzed.token_ends[source.bounds[source_last + 1] - 1]),
        ),
    )


def _through_closing_punctuation(text: str, end: int) -> int:
    while end < len(text) and text[end] in _CLOSING_PUNCTUATION:
        end += 1
    return end


def _evidence(passage: Passage, query: Units, shared: SharedFingerprints) -> int:
    positions = np.unique(shared.query_positions)
    starts = query.analyzed.token_starts[positions]
    inside = (starts >= passage.start) & (starts < passage.end)
    return int(np.count_nonzero(inside))


def coverage(passages: tuple[Passage, ...] | list[Passage], text_length: int) -> float:
    """Share of the checked text's characters inside at least one passage."""
    if text_length == 0 or not passages:
        return 0.0
    covered = 0
    current_start, current_end = -1, -1
    for passage in sorted(passages, key=lambda p: p.start):
        if passage.start > current_end:
            covered += current_end - current_start
            current_start, current_end = passage.start, passage.end
        else:
            current_end = max(current_end, passage.end)
    covered += current_end - current_start
    return covered / text_length
