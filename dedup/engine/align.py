"""Passage alignment between a checked text and candidate sources.

After Sanchez-Perez, Sidorov and Gelbukh, "A Winning Approach to Text
Alignment for Text Reuse Detection at PAN 2014": both texts are cut into
sentence-sized units, each unit becomes a TF-IDF vector (scikit-learn, syllable
unigrams), unit pairs similar by both cosine and Dice are seeds, and seeds
close to each other on both sides are merged into passages. Sentence-level
matching is what survives reordered sentences, dropped or changed words and
changed punctuation, which break the exact n-grams that fingerprints rely on.

Additions for this archive:
- IDF weights come from the document frequency of each syllable in the whole
  index (``TermStatistics``), not from the few texts being compared: a word
  every initiative uses weighs little even if only the query and one
  candidate happen to contain it;
- two channels: a pair of units that both carry their diacritics is compared
  on its exact syllables; if either was typed without them (or with
  input-method leftovers), on the accent-folded syllables;
- a unit pair that shares a winnowed fingerprint needs a lower cosine to be a
  seed (fingerprints are strong evidence of verbatim copying);
- a passage is a run of aligned units, only the aligned units count as copied,
  and it must hold ``min_passage_fingerprints`` distinct shared fingerprints
  that are not common text, so form headings, stock phrases and quoted laws,
  which are similar sentence by sentence in many initiatives, never form a
  passage alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.preprocessing import normalize

from core.text import accented_share, fold_accents
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
    # Units written with their diacritics (compared on the exact channel).
    accented: np.ndarray

    def __len__(self) -> int:
        return max(len(self.bounds) - 1, 0)

    def token_lists(self) -> list[list[str]]:
        tokens = self.analyzed.tokens
        return [tokens[self.bounds[i] : self.bounds[i + 1]] for i in range(len(self))]

    def exact_token_lists(self) -> list[list[str]]:
        tokens = self.analyzed.exact_tokens
        return [tokens[self.bounds[i] : self.bounds[i + 1]] for i in range(len(self))]

    def lengths(self) -> np.ndarray:
        """Syllables in each unit."""
        return np.diff(self.bounds)

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
    exact = analyzed.exact_tokens
    accented = np.asarray(
        [
            accented_share(exact[unit_bounds[i] : unit_bounds[i + 1]]) >= ACCENTED_UNIT_SHARE
            for i in range(len(unit_bounds) - 1)
        ],
        dtype=bool,
    )
    return Units(
        analyzed,
        unit_bounds,
        _boilerplate_units(analyzed, unit_bounds, config, boilerplate),
        accented,
    )


# Vietnamese prose carries a diacritic on about four syllables in five; a
# unit with fewer than half is taken as typed without them.
ACCENTED_UNIT_SHARE = 0.5


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
    hashes: np.ndarray  # the fingerprint of each pair


@dataclass(frozen=True, slots=True)
class Alignment:
    passages: tuple[Passage, ...]
    score: float
    # Query units inside validated passages: what counts as copied.
    aligned_units: np.ndarray


TermFrequencies = Callable[[list[str]], tuple[np.ndarray, int]]
"""Folded terms -> (document frequency of each in the whole index, index size)."""


class CheckVectors:
    """TF-IDF of every unit of one check: the query and all its candidates.

    Two channels (exact and accent-folded syllables), each with IDF weights
    from the whole index's document frequencies, so that how rare a word is
    does not depend on which few texts are being compared.
    """

    def __init__(self, query: Units, sources: list[Units], frequencies: TermFrequencies) -> None:
        all_units = [query, *sources]
        offsets = np.cumsum([0] + [len(u) for u in all_units])
        # Sums the unit rows of each document into its whole-text row.
        owner = np.repeat(np.arange(len(all_units)), np.diff(offsets))
        totals = sp.csr_matrix(
            (np.ones(len(owner)), (owner, np.arange(len(owner)))),
            shape=(len(all_units), len(owner)),
        )
        folded_lists = [t for u in all_units for t in u.token_lists()]
        exact_lists = [t for u in all_units for t in u.exact_token_lists()]
        folded_counts, folded_terms = _counts(folded_lists)
        exact_counts, exact_terms = _counts(exact_lists)
        folded_df, document_count = frequencies(folded_terms)
        df_of = dict(zip(folded_terms, folded_df.tolist(), strict=True))
        # An exact syllable takes the frequency of its folded form (the index
        # counts folded syllables): a slight underestimate of its rarity.
        folded_of_exact = [fold_accents(t) for t in exact_terms]
        exact_df = np.asarray([df_of.get(t, 0) for t in folded_of_exact], dtype=np.float64)
        # The query's rows against every candidate's, in one product per channel: the
        # alignment then only slices dense blocks (slicing and multiplying sparse
        # matrices per candidate cost more than the products themselves).
        query_rows = slice(offsets[0], offsets[1])
        source_rows = slice(offsets[1], offsets[-1])
        self._cosine: dict[str, np.ndarray] = {}
        self._dice: dict[str, np.ndarray] = {}
        self._whole_cosine: dict[str, np.ndarray] = {}
        for name, counts, df in (
            ("folded", folded_counts, folded_df),
            ("exact", exact_counts, exact_df),
        ):
            # scikit-learn's smoothed IDF, over the whole index.
            idf = np.log((1.0 + document_count) / (1.0 + np.asarray(df, dtype=np.float64))) + 1.0
            weights = sp.diags(idf)
            units = normalize(counts @ weights).tocsr()
            whole = normalize((totals @ counts) @ weights).tocsr()
            binary = counts.copy().tocsr()
            binary.data[:] = 1.0
            self._cosine[name] = (units[query_rows] @ units[source_rows].T).toarray()
            common_terms = (binary[query_rows] @ binary[source_rows].T).toarray()
            term_counts = np.asarray(binary.sum(axis=1)).ravel()
            self._dice[name] = (
                2
                * common_terms
                / np.maximum(term_counts[query_rows, None] + term_counts[None, source_rows], 1)
            )
            self._whole_cosine[name] = (whole[1:] @ whole[0].T).toarray().ravel()
        self._offsets = offsets
        self._accented_documents = [
            bool(len(u)) and bool(u.accented.mean() >= 0.5) for u in all_units
        ]

    def similarities(self, channel: str, source_index: int) -> tuple[np.ndarray, np.ndarray]:
        """(cosine, Dice) of every query unit with every unit of candidate ``source_index``."""
        first = self._offsets[source_index + 1] - self._offsets[1]
        last = self._offsets[source_index + 2] - self._offsets[1]
        return self._cosine[channel][:, first:last], self._dice[channel][:, first:last]

    def whole_text_cosine(self, index: int) -> float:
        both_accented = self._accented_documents[0] and self._accented_documents[index + 1]
        return float(self._whole_cosine["exact" if both_accented else "folded"][index])


def _counts(token_lists: list[list[str]]) -> tuple[sp.csr_matrix, list[str]]:
    if not any(token_lists):
        return sp.csr_matrix((len(token_lists), 0)), []
    vectorizer = CountVectorizer(analyzer=_identity, lowercase=False)
    counts = vectorizer.fit_transform(token_lists).astype(np.float64).tocsr()
    return counts, vectorizer.get_feature_names_out().tolist()


def align(
    query: Units,
    source: Units,
    shared: SharedFingerprints,
    vectors: CheckVectors,
    source_index: int,
    config: EngineConfig,
    blocked_query_units: np.ndarray | None = None,
) -> Alignment:
    """Copied passages of ``source`` in ``query``.

    ``blocked_query_units`` (bool per query unit) are units already explained
    as quotations of a law or a form: they never seed a passage here.
    """
    score = vectors.whole_text_cosine(source_index)
    nothing = Alignment((), score, np.empty(0, dtype=np.int64))
    if len(query) == 0 or len(source) == 0:
        return nothing
    exact_cosine, exact_dice = vectors.similarities("exact", source_index)
    folded_cosine, folded_dice = vectors.similarities("folded", source_index)
    # Exact syllables where both units kept their diacritics (folding would
    # only add chance collisions there); folded ones where either did not.
    both_accented = query.accented[:, None] & source.accented[None, :]
    cosine = np.where(both_accented, exact_cosine, folded_cosine)
    dice = np.where(both_accented, exact_dice, folded_dice)

    query_units_with_fp = query.unit_of_token(shared.query_positions)
    source_units_with_fp = source.unit_of_token(shared.source_positions)
    shares_fingerprint = np.zeros_like(cosine, dtype=bool)
    shares_fingerprint[query_units_with_fp, source_units_with_fp] = True

    is_seed = ((cosine >= config.seed_cosine) & (dice >= config.seed_dice)) | (
        shares_fingerprint & (cosine >= config.fingerprint_seed_cosine)
    )
    # Cosine over a handful of syllables is noise ("Tên sáng kiến: X" against
    # "Tên sáng kiến: Y"): short units seed only with a shared fingerprint.
    short_query_units = query.lengths() < config.short_unit_syllables
    is_seed[short_query_units, :] &= shares_fingerprint[short_query_units, :]
    # Registered boilerplate (the form's headings) is identical in every
    # initiative: as a seed it would glue a passage to the nearest heading.
    is_seed[query.boilerplate, :] = False
    is_seed[:, source.boilerplate] = False
    if blocked_query_units is not None:
        is_seed[blocked_query_units, :] = False
    seeds = _best_seed_per_query_unit(is_seed, cosine)
    if not seeds:
        return nothing
    passages: list[Passage] = []
    aligned: list[int] = []
    for cluster in _cluster(seeds, config.max_gap):
        units = sorted(q for q, _ in cluster)
        if _evidence(units, query_units_with_fp, shared.hashes) < config.min_passage_fingerprints:
            continue
        aligned.extend(units)
        passages.extend(_passages_of_runs(sorted(cluster), query, source))
    passages.sort(key=lambda p: p.start)
    return Alignment(tuple(passages), score, np.asarray(sorted(aligned), dtype=np.int64))


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


def _passages_of_runs(cluster: list[tuple[int, int]], query: Units, source: Units) -> list[Passage]:
    """One passage per run of consecutive aligned query units: the units
    between two runs were not copied and are neither shown nor counted."""
    runs: list[list[tuple[int, int]]] = [[cluster[0]]]
    for seed in cluster[1:]:
        if seed[0] == runs[-1][-1][0] + 1:
            runs[-1].append(seed)
        else:
            runs.append([seed])
    return [_passage(run, query, source) for run in runs]


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
        syllables=int(np.sum(np.diff(query.bounds)[query_first : query_last + 1])),
    )


def _through_closing_punctuation(text: str, end: int) -> int:
    while end < len(text) and text[end] in _CLOSING_PUNCTUATION:
        end += 1
    return end


def _evidence(units: list[int], unit_of_fingerprint: np.ndarray, hashes: np.ndarray) -> int:
    """Distinct shared, non-common fingerprints that start inside ``units``."""
    inside = np.isin(unit_of_fingerprint, units)
    return len(np.unique(hashes[inside]))


def syllable_coverage(aligned_units: np.ndarray, query: Units) -> float:
    """Share of the checked text's syllables inside aligned (copied) units."""
    total = len(query.analyzed.tokens)
    if total == 0 or len(aligned_units) == 0:
        return 0.0
    return float(query.lengths()[np.unique(aligned_units)].sum()) / total
