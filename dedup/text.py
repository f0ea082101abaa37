"""Vietnamese text normalisation for search and for the similarity check.

Pure functions, no Django. Three jobs:

- ``normalize_vietnamese``: one canonical spelling of the same words, so that
  NFC/NFD, the two tone-mark placement styles (hoà/hòa, thuý/thúy, khoẻ/khỏe)
  and letter case no longer make two copies of a text look different.
- ``fold_accents``: strip every diacritic (đ becomes d) for accent-insensitive
  search, so "sang kien cai tien" finds "Sáng kiến cải tiến".
- ``syllables`` / ``sentences``: split a text into syllables and sentences
  while keeping character offsets into the ORIGINAL string, whatever Unicode
  form it came in, so that a reviewer can be shown the exact copied passage.

Canonical tone style: the mark sits on the second vowel of the open
diphthongs "oa", "oe" and "uy" ("hoà", "khoẻ", "thuỷ"), the placement of the
2017 Vietnamese orthography rules and of most keyboards' "new style". Which of
the two styles is chosen does not matter for matching; that only one is.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "Syllable",
    "fold_accents",
    "normalize_vietnamese",
    "normalize_with_offsets",
    "sentence_bounds",
    "sentences",
    "syllable_spans",
    "syllables",
]

# The five Vietnamese tone marks as combining characters:
# grave (huyền), acute (sắc), hook above (hỏi), tilde (ngã), dot below (nặng).
_TONE_MARKS = ("\u0300", "\u0301", "\u0309", "\u0303", "\u0323")

# Vowel pairs whose tone mark is placed on the first vowel in the "old style"
# and on the second in the "new style".
_STYLE_DEPENDENT_PAIRS = (("o", "a"), ("o", "e"), ("u", "y"))


def _with_tone(vowel: str, tone: str) -> str:
    return unicodedata.normalize("NFC", vowel + tone)


def _build_tone_style_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for first, second in _STYLE_DEPENDENT_PAIRS:
        for tone in _TONE_MARKS:
            old_style = _with_tone(first, tone) + second
            new_style = first + _with_tone(second, tone)
            table[old_style] = new_style
    return table


_OLD_TO_NEW_TONE_STYLE = _build_tone_style_table()
# Rewritten wherever it occurs: in a closed syllable the mark sits on the
# second vowel in both styles ("hoàng", "huỳnh"), so a first-vowel mark there
# ("hòang") is a misspelling, and mapping it the same way only helps matching.
_OLD_TONE_STYLE_RE = re.compile("|".join(sorted(_OLD_TO_NEW_TONE_STYLE)))


def _to_new_tone_style(match: re.Match[str]) -> str:
    return _OLD_TO_NEW_TONE_STYLE[match.group()]


def _build_fold_table() -> dict[int, int | None]:
    table: dict[int, int | None] = {}
    # Latin-1 Supplement, Latin Extended-A/B, Latin Extended Additional:
    # every precomposed Vietnamese letter lives in these ranges.
    for code_point in (
        *range(0x00C0, 0x0250),
        *range(0x1E00, 0x1F00),
    ):
        char = chr(code_point)
        base = unicodedata.normalize("NFD", char)[0]
        if base != char and base.isascii():
            table[code_point] = ord(base)
    for code_point in range(0x0300, 0x0370):  # combining marks, for NFD input
        table[code_point] = None
    table[ord("đ")] = ord("d")
    table[ord("Đ")] = ord("D")
    return table


_FOLD_TABLE = _build_fold_table()


def normalize_vietnamese(text: str) -> str:
    """NFC, one tone-mark placement style, lower case.

    Keeps punctuation and spacing; the result has the same length as the input
    whenever the input is already NFC (the usual case), which keeps offsets
    cheap to map back.
    """
    text = unicodedata.normalize("NFC", text).lower()
    return _OLD_TONE_STYLE_RE.sub(_to_new_tone_style, text)


def fold_accents(text: str) -> str:
    """Lower case without any diacritic: "Đổi mới" -> "doi moi"."""
    return text.translate(_FOLD_TABLE).lower()


def normalize_with_offsets(text: str) -> tuple[str, list[int] | None, list[int] | None]:
    """``normalize_vietnamese(text)`` plus a map back to ``text``.

    Returns ``(normalized, starts, ends)``: normalized character ``i`` comes
    from ``text[starts[i]:ends[i]]``. Both maps are ``None`` when the
    normalisation preserved length one-to-one (NFC input without special
    case-folding), so offsets need no mapping at all.
    """
    if unicodedata.is_normalized("NFC", text):
        lowered = text.lower()
        if len(lowered) == len(text):
            return _OLD_TONE_STYLE_RE.sub(_to_new_tone_style, lowered), None, None
    # Slow path: normalise one grapheme (base + combining marks) at a time so
    # every output character knows which input characters produced it.
    pieces: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    cluster_start = 0
    for index in range(1, len(text) + 1):
        if index < len(text) and unicodedata.combining(text[index]):
            continue
        piece = unicodedata.normalize("NFC", text[cluster_start:index]).lower()
        pieces.append(piece)
        starts.extend([cluster_start] * len(piece))
        ends.extend([index] * len(piece))
        cluster_start = index
    normalized = "".join(pieces)
    # The tone-style rewrite swaps two characters for two, so the maps hold.
    return _OLD_TONE_STYLE_RE.sub(_to_new_tone_style, normalized), starts, ends


@dataclass(frozen=True, slots=True)
class Syllable:
    """A normalised syllable and where it sits in the original text."""

    text: str
    start: int
    end: int


# A syllable: a run of letters or digits (Vietnamese writes one syllable per
# space-separated token; "_" is excluded because word segmenters join with it).
SYLLABLE_RE = re.compile(r"[^\W_]+")
# Sentence ends: . ! ? ; … and line breaks. ";" too, because initiative forms
# use it to separate enumerated steps that read as sentences.
SENTENCE_END_RE = re.compile(r"[.!?;…]+(?=\s|$)|\n+")


def syllables(text: str) -> list[Syllable]:
    """Normalised syllables of ``text`` with offsets into ``text`` itself."""
    tokens, starts, ends = syllable_spans(text)
    return [Syllable(t, s, e) for t, s, e in zip(tokens, starts, ends, strict=True)]


def syllable_spans(text: str) -> tuple[list[str], list[int], list[int]]:
    """Columnar ``syllables``: (normalised syllables, starts, ends) in ``text``.

    The hot path of fingerprinting uses this form; it avoids one object per
    syllable.
    """
    normalized, start_map, end_map = normalize_with_offsets(text)
    tokens: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for match in SYLLABLE_RE.finditer(normalized):
        tokens.append(match.group())
        starts.append(match.start())
        ends.append(match.end())
    if start_map is not None and end_map is not None:
        starts = [start_map[i] for i in starts]
        ends = [end_map[i - 1] for i in ends]
    return tokens, starts, ends


def sentence_bounds(text: str) -> list[tuple[int, int]]:
    """(start, end) character spans of the sentences of ``text``.

    Works on the original text: sentence punctuation has no combining marks,
    so no normalisation is needed to find it.
    """
    bounds: list[tuple[int, int]] = []
    start = 0
    for match in SENTENCE_END_RE.finditer(text):
        _append_stripped(bounds, text, start, match.end())
        start = match.end()
    _append_stripped(bounds, text, start, len(text))
    return bounds


def _append_stripped(bounds: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    piece = text[start:end]
    stripped = piece.lstrip()
    if not stripped.strip():
        return
    start += len(piece) - len(stripped)
    end -= len(stripped) - len(stripped.rstrip())
    bounds.append((start, end))


def sentences(text: str) -> list[str]:
    """The sentences of ``text`` as substrings of it."""
    return [text[start:end] for start, end in sentence_bounds(text)]


@lru_cache(maxsize=1)
def tone_style_pairs() -> dict[str, str]:
    """Old-style -> canonical spelling of the style-dependent vowel pairs.

    Exposed for tests and for the benchmark's disguise generator.
    """
    return dict(_OLD_TO_NEW_TONE_STYLE)
