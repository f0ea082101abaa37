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
    "accented_share",
    "fold_accents",
    "folded_tokens",
    "match_tokens",
    "normalize_vietnamese",
    "normalize_with_offsets",
    "sentence_bounds",
    "sentences",
    "syllable_spans",
    "syllables",
    "token_forms",
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
# What the check tokenises: a number with its group and decimal separators
# ("1.500.000", "15,5") is one token; otherwise a syllable as above.
TOKEN_RE = re.compile(r"\d+(?:[.,]\d+)+|[^\W_]+")
# Every number becomes this one token: amounts, dates and counts are what a
# copier changes every few syllables, and they say nothing about copying.
NUMBER_TOKEN = "0"
# Sentence ends: . ! ? ; … and line breaks. ";" too, because initiative forms
# use it to separate enumerated steps that read as sentences.
SENTENCE_END_RE = re.compile(r"[.!?;…]+(?=\s|$)|\n+")

# Characters a reader never sees: zero-width space, non-joiner and joiner,
# word joiner, byte-order mark, soft hyphen (and the invisible format marks
# next to them). Inserted inside a word, they split it for a machine only.
INVISIBLE_CHARACTERS = (
    "\u00ad\u180e\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff"
)

# Cyrillic and Greek letters drawn like Latin ones: a copier swaps them in so
# that a word looks the same and hashes differently.
LOOKALIKE_LETTERS = {
    # Cyrillic lower and upper case
    "а": "a", "в": "b", "е": "e", "ё": "ë", "к": "k", "м": "m", "н": "h", "о": "o",
    "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "і": "i", "ї": "ï", "ј": "j",
    "ѕ": "s", "һ": "h", "ԁ": "d", "ԛ": "q", "ԝ": "w", "ӏ": "l",
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P",
    "С": "C", "Т": "T", "У": "Y", "Х": "X", "І": "I", "Ј": "J", "Ѕ": "S", "Ԁ": "D",
    # Greek lower and upper case
    "α": "a", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t",
    "υ": "u", "χ": "x",
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M",
    "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
}  # fmt: skip
_CLEAN_TABLE: dict[int, int | None] = {ord(c): None for c in INVISIBLE_CHARACTERS}
_CLEAN_TABLE.update({ord(k): ord(v) for k, v in LOOKALIKE_LETTERS.items()})
_INVISIBLE_SET = frozenset(INVISIBLE_CHARACTERS)
# str.translate with a dict costs ~0.5 ms on an initiative; finding that there
# is nothing to translate (the usual case) costs a tenth of that.
_NEEDS_CLEANING_RE = re.compile("[" + re.escape("".join(map(chr, _CLEAN_TABLE))) + "]")

# A Vietnamese syllable without diacritics: onset, vowels, final. Used to
# tell an input-method leftover ("nguwowif") from a real word.
_FOLDED_SYLLABLE_RE = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?"
    r"(?:[aeiouy]{1,3})(?:ch|nh|ng|[cmnpt])?"
)
# Keys that Telex typists use for marks: tones s f r x j, w for ơ/ư/ă, z to
# clear; doubled letters for â ê ô đ.
_TELEX_HINT_RE = re.compile(r"[sfrxjwz]|aa|ee|oo|dd")


def _clean_with_offsets(text: str) -> tuple[str, list[int] | None]:
    """Look-alike letters made Latin and invisible characters dropped.

    Returns the cleaned text and, when characters were dropped, the index in
    ``text`` of each cleaned character (``None`` when nothing moved).
    """
    if not _NEEDS_CLEANING_RE.search(text):
        return text, None
    cleaned = text.translate(_CLEAN_TABLE)
    if len(cleaned) == len(text):
        return cleaned, None
    return cleaned, [i for i, char in enumerate(text) if char not in _INVISIBLE_SET]


def syllables(text: str) -> list[Syllable]:
    """Normalised syllables of ``text`` with offsets into ``text`` itself."""
    tokens, starts, ends = syllable_spans(text)
    return [Syllable(t, s, e) for t, s, e in zip(tokens, starts, ends, strict=True)]


def syllable_spans(text: str) -> tuple[list[str], list[int], list[int]]:
    """Columnar ``syllables``: (normalised syllables, starts, ends) in ``text``.

    The hot path of fingerprinting uses this form; it avoids one object per
    syllable. Look-alike letters and invisible characters are undone,
    input-method leftovers decoded and numbers replaced by ``NUMBER_TOKEN``
    (see ``token_forms``); the syllables keep their diacritics.
    """
    exact, _folded, starts, ends = match_tokens(text)
    return exact, starts, ends


def match_tokens(text: str) -> tuple[list[str], list[str], list[int], list[int]]:
    """(exact tokens, accent-folded tokens, starts, ends) of ``text``.

    The two token lists are parallel: the exact one keeps diacritics (for the
    precise comparison of accented texts), the folded one has none (for
    matching a copy typed without them). Offsets index ``text`` as given.
    """
    cleaned, kept = _clean_with_offsets(text)
    normalized, start_map, end_map = normalize_with_offsets(cleaned)
    raw = TOKEN_RE.findall(normalized)
    forms = list(map(_TOKEN_FORMS.get, raw))
    if None in forms:
        forms = [token_forms(t) if f is None else f for t, f in zip(raw, forms, strict=True)]
    exact = [f[0] for f in forms]  # type: ignore[index]
    folded = [f[1] for f in forms]  # type: ignore[index]
    starts: list[int] = []
    ends: list[int] = []
    for match in TOKEN_RE.finditer(normalized):
        starts.append(match.start())
        ends.append(match.end())
    if start_map is not None and end_map is not None:
        starts = [start_map[i] for i in starts]
        ends = [end_map[i - 1] for i in ends]
    if kept is not None:
        starts = [kept[i] for i in starts]
        ends = [kept[i - 1] + 1 for i in ends]
    return exact, folded, starts, ends


def folded_tokens(text: str) -> list[str]:
    """The folded tokens of ``match_tokens`` without offsets (the indexing path)."""
    if _NEEDS_CLEANING_RE.search(text):
        text = text.translate(_CLEAN_TABLE)
    raw = TOKEN_RE.findall(normalize_vietnamese(text))
    forms = list(map(_TOKEN_FORMS.get, raw))
    if None in forms:
        forms = [token_forms(t) if f is None else f for t, f in zip(raw, forms, strict=True)]
    return [f[1] for f in forms]  # type: ignore[index]


# token -> (exact, folded); Vietnamese has about 7,000 syllables, so the cache
# stays small; numbers and foreign words can grow it, hence the cap.
_TOKEN_FORMS: dict[str, tuple[str, str]] = {}
_TOKEN_CACHE_LIMIT = 500_000


def token_forms(token: str) -> tuple[str, str]:
    """(exact, folded) form of one lower-cased, NFC token.

    - a number (with or without separators) is ``NUMBER_TOKEN``;
    - an input-method leftover is decoded: Telex ("nguwowif") or VNI
      ("ngu7o72i") typed without the input method turned on is "người";
    - anything else is itself, and its accent-free fold.
    """
    cached = _TOKEN_FORMS.get(token)
    if cached is not None:
        return cached
    if len(_TOKEN_FORMS) >= _TOKEN_CACHE_LIMIT:
        _TOKEN_FORMS.clear()
    exact = token
    if token[0].isdigit() and token.replace(".", "").replace(",", "").isdigit():
        exact = NUMBER_TOKEN
    elif token.isascii():
        exact = _decode_input_method(token)
    result = (exact, fold_accents(exact))
    _TOKEN_FORMS[token] = result
    return result


def _decode_input_method(token: str) -> str:
    has_digit = any(c.isdigit() for c in token)
    if has_digit:
        # VNI puts the marks on digits 1-9 after the vowel ("to6i", "d9i").
        if not token[0].isalpha() or not any(c in "123456789" for c in token):
            return token
        decoded = _bogo_decode(token, vni=True)
    else:
        if _FOLDED_SYLLABLE_RE.fullmatch(token) and not _TELEX_HINT_RE.search(token):
            return token
        if not _TELEX_HINT_RE.search(token):
            return token
        decoded = _bogo_decode(token, vni=False)
    if decoded == token or decoded.isascii():
        return token
    if not _FOLDED_SYLLABLE_RE.fullmatch(fold_accents(decoded)):
        return token
    return normalize_vietnamese(decoded)


def _bogo_decode(token: str, *, vni: bool) -> str:
    import bogo  # imported on first use: most texts never need it

    try:
        if vni:
            return bogo.process_sequence(token, rules=bogo.get_vni_definition())
        return bogo.process_sequence(token)
    except Exception:  # noqa: BLE001 - an undecodable leftover stays as typed
        return token


def accented_share(tokens: list[str]) -> float:
    """Share of alphabetic tokens carrying a diacritic (0 for accent-free text)."""
    letters = [t for t in tokens if t != NUMBER_TOKEN and not t.isdigit()]
    if not letters:
        return 0.0
    return sum(1 for t in letters if not t.isascii()) / len(letters)


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
