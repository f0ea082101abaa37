"""Syllable n-gram fingerprints and winnowing (Schleimer, Wilkerson, Aiken 2003).

A document is reduced to 32-bit hashes of its overlapping syllable k-grams
(syllables normalised by ``core.text`` and folded: no diacritics, look-alike
letters and invisible characters undone, input-method leftovers decoded,
numbers one token; punctuation ignored), and winnowing
keeps the minimum hash of every window of ``window`` consecutive k-grams.
Guarantee: any run of at least ``k + window - 1`` syllables shared by two
documents yields at least one shared fingerprint, whatever surrounds it, while
only about ``2 / (window + 1)`` of the k-grams are kept in the index.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from core.text import folded_tokens, match_tokens, sentence_bounds

# Odd 64-bit multiplier for the polynomial rolling combination of syllable
# hashes (any odd constant with well-mixed bits will do).
_POLY_BASE = np.uint64(0x9E3779B97F4A7C15)
_MIX_1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX_2 = np.uint64(0x94D049BB133111EB)

# Syllable -> 64-bit hash. Vietnamese has fewer than 10,000 distinct
# syllables, so the cache stays small; numbers and foreign words can grow it,
# hence the cap.
_SYLLABLE_HASHES: dict[str, int] = {}
_SYLLABLE_CACHE_LIMIT = 500_000


def syllable_hash(syllable: str) -> int:
    """Stable 64-bit hash of one normalised syllable (same on every machine)."""
    cached = _SYLLABLE_HASHES.get(syllable)
    if cached is None:
        if len(_SYLLABLE_HASHES) >= _SYLLABLE_CACHE_LIMIT:
            _SYLLABLE_HASHES.clear()
        digest = hashlib.blake2b(syllable.encode("utf-8"), digest_size=8).digest()
        cached = _SYLLABLE_HASHES[syllable] = int.from_bytes(digest, "little")
    return cached


def syllable_hashes(tokens: list[str]) -> np.ndarray:
    """uint64 ``syllable_hash`` of every token, in order."""
    # map(dict.get) runs in C; only syllables never seen before take the
    # Python path (rare once the cache holds the language's syllables).
    values = list(map(_SYLLABLE_HASHES.get, tokens))
    if None in values:
        values = [syllable_hash(t) if v is None else v for t, v in zip(tokens, values, strict=True)]
    return np.array(values, dtype=np.uint64)


def kgram_hashes(tokens: list[str], k: int) -> np.ndarray:
    """uint32 hash of every k-gram of ``tokens`` (length ``len(tokens) - k + 1``)."""
    if len(tokens) < k:
        return np.empty(0, dtype=np.uint32)
    return combine_kgrams(syllable_hashes(tokens), k)


def combine_kgrams(syllable_hashes: np.ndarray, k: int) -> np.ndarray:
    """uint32 hash of every k-gram, from the syllables' uint64 hashes."""
    if len(syllable_hashes) < k:
        return np.empty(0, dtype=np.uint32)
    count = len(syllable_hashes) - k + 1
    combined = np.zeros(count, dtype=np.uint64)
    # uint64 arithmetic wraps modulo 2**64, which is what a polynomial hash wants.
    with np.errstate(over="ignore"):
        for offset in range(k):
            combined = combined * _POLY_BASE + syllable_hashes[offset : offset + count]
        # splitmix64 finaliser: the top 32 bits must be uniform, since they are
        # the fingerprint and the top bits of it pick the index bucket.
        combined ^= combined >> np.uint64(30)
        combined *= _MIX_1
        combined ^= combined >> np.uint64(27)
        combined *= _MIX_2
        combined ^= combined >> np.uint64(31)
    return (combined >> np.uint64(32)).astype(np.uint32)


def winnow(hashes: np.ndarray, window: int) -> np.ndarray:
    """Positions (k-gram indices) selected by winnowing, ascending and unique."""
    if len(hashes) == 0:
        return np.empty(0, dtype=np.int64)
    if len(hashes) <= window:
        return np.array([int(np.argmin(hashes))], dtype=np.int64)
    windows = sliding_window_view(hashes, window)
    # Rightmost minimum of each window, as in the paper: reversing each window
    # makes argmin (which returns the first minimum) return the last one.
    rightmost = window - 1 - np.argmin(windows[:, ::-1], axis=1)
    positions = np.arange(len(windows)) + rightmost
    return np.unique(positions)


@dataclass(frozen=True, slots=True)
class AnalyzedText:
    """A text split for matching: syllables with original offsets, sentences."""

    text: str
    # Accent-folded tokens: what fingerprints and the folded channel compare.
    tokens: list[str]
    # The same tokens with their diacritics: the exact channel.
    exact_tokens: list[str]
    token_starts: np.ndarray  # int64 offsets into ``text``
    token_ends: np.ndarray
    # Sentence i covers tokens [sentence_token_bounds[i], sentence_token_bounds[i+1]).
    sentence_token_bounds: np.ndarray


def analyze(text: str) -> AnalyzedText:
    exact, tokens, starts, ends = match_tokens(text)
    token_starts = np.asarray(starts, dtype=np.int64)
    token_ends = np.asarray(ends, dtype=np.int64)
    sentence_starts = [start for start, _ in sentence_bounds(text)]
    # First token of each sentence; sentences without a token vanish.
    first_tokens = np.searchsorted(token_starts, np.asarray(sentence_starts, dtype=np.int64))
    bounds = np.unique(np.concatenate([[0], first_tokens, [len(tokens)]]))
    return AnalyzedText(text, tokens, exact, token_starts, token_ends, bounds)


@dataclass(frozen=True, slots=True)
class Fingerprints:
    """Winnowed fingerprints of a text and the syllable index each starts at."""

    hashes: np.ndarray  # uint32
    positions: np.ndarray  # int64 token index of the k-gram's first syllable

    def unique(self) -> np.ndarray:
        return np.unique(self.hashes)


def fingerprint(analyzed: AnalyzedText, k: int, window: int) -> Fingerprints:
    hashes = kgram_hashes(analyzed.tokens, k)
    positions = winnow(hashes, window)
    return Fingerprints(hashes[positions], positions)


def index_fingerprints(text: str, k: int, window: int) -> np.ndarray:
    """Unique winnowed fingerprints of ``text``, without offsets.

    The indexing path: the same syllables as ``analyze`` (so the same
    fingerprints) at less than half the cost, since nothing needs mapping
    back to the original text.
    """
    tokens = folded_tokens(text)
    hashes = kgram_hashes(tokens, k)
    return np.unique(hashes[winnow(hashes, window)])


def all_kgram_hashes(text: str, k: int) -> np.ndarray:
    """Every k-gram hash of ``text``, unique: used for registered boilerplate,
    where the fingerprints that winnowing picks depend on the surrounding text.
    """
    return np.unique(kgram_hashes(folded_tokens(text), k))
