"""Value types of the similarity engine: what goes in, what comes out."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Literal

SourceKind = Literal["initiative", "web", "reference"]
SOURCE_KINDS: tuple[str, ...] = ("initiative", "web", "reference")


@dataclass(frozen=True, slots=True)
class Source:
    """A text in the archive index.

    ``id`` is unique across kinds (e.g. "initiative:123", "web:<sha1 of url>");
    re-adding the same id replaces the earlier version. ``ref`` is what the
    caller needs to find the original again (a primary key, a URL).
    ``author_keys`` identify the people behind the text: every author and
    co-author, e.g. {"user:12", "member:abc"}; a check by anyone holding one
    of them treats the text as their own earlier work.
    """

    id: str
    kind: str
    ref: str
    text: str
    author_keys: frozenset[str] = frozenset()
    confidential: bool = False

    def __post_init__(self) -> None:
        if self.kind not in SOURCE_KINDS:
            raise ValueError(f"unknown source kind {self.kind!r}; expected one of {SOURCE_KINDS}")
        if not isinstance(self.author_keys, frozenset):
            object.__setattr__(self, "author_keys", frozenset(self.author_keys))


@dataclass(frozen=True, slots=True)
class Passage:
    """A copied passage: ``query_text[start:end]`` ~ ``source_text[source_start:source_end]``.

    Offsets are character offsets into the ORIGINAL texts as given (not the
    normalised forms), end exclusive.
    """

    start: int
    end: int
    source_start: int
    source_end: int

    @property
    def length(self) -> int:
        return self.end - self.start


@dataclass(frozen=True, slots=True)
class Match:
    """One archive source that shares copied passages with the checked text."""

    source_id: str
    kind: str
    ref: str
    same_author: bool
    confidential: bool
    coverage: float  # share of the checked text's characters inside passages
    score: float  # TF-IDF cosine of the two whole texts
    flagged: bool
    passages: tuple[Passage, ...]
    shared_fingerprints: int = 0


@dataclass(frozen=True, slots=True)
class CheckResult:
    flagged: bool
    matches: tuple[Match, ...]
    candidates_considered: int = 0


@dataclass(frozen=True, slots=True)
class FlagRule:
    """Turns a match into flagged (needs review) or not.

    A match flags when it is someone else's text (never own earlier work),
    copied passages cover at least ``min_coverage`` of the checked text, the
    longest passage has at least ``min_passage_chars`` characters, and the
    whole-text TF-IDF score is at least ``min_score``.
    """

    min_coverage: float = 0.04
    min_passage_chars: int = 100
    min_score: float = 0.0

    def flags(
        self, *, same_author: bool, coverage: float, longest_passage: int, score: float
    ) -> bool:
        return (
            not same_author
            and coverage >= self.min_coverage
            and longest_passage >= self.min_passage_chars
            and score >= self.min_score
        )


@dataclass(frozen=True, slots=True)
class EngineConfig:
    """Knobs of the engine. Changing ``kgram`` or ``window`` needs a rebuild."""

    # Fingerprints: syllable k-grams, winnowed over ``window`` k-grams.
    kgram: int = 5
    window: int = 8
    # A fingerprint held by more than common_df(N) documents is a stock phrase
    # or form heading: it never counts as evidence of copying. common_df(N) is
    # clamp(common_df_fraction * N, common_min_df, common_max_df).
    common_df_fraction: float = 0.0005
    common_min_df: int = 5
    common_max_df: int = 1000
    # Candidates: sources sharing at least this many non-common fingerprints,
    # the best ``max_candidates`` of them by count go on to alignment.
    min_shared_fingerprints: int = 3
    max_candidates: int = 8
    # Alignment (Sanchez-Perez et al. 2014, whose thresholds were 0.33 for
    # paraphrase; copies here are disguised, not paraphrased, and 0.5 keeps
    # same-topic sentences apart): sentence pairs with TF-IDF cosine and Dice
    # both >= the seed thresholds, or sharing a fingerprint and with
    # cosine >= fingerprint_seed_cosine, are seeds; seeds at most ``max_gap``
    # sentences apart on both sides merge into one passage.
    seed_cosine: float = 0.5
    seed_dice: float = 0.5
    fingerprint_seed_cosine: float = 0.4
    max_gap: int = 3
    max_unit_syllables: int = 40
    min_unit_syllables: int = 4
    short_unit_syllables: int = 10
    # A passage must hold this many shared non-common fingerprints, so that
    # alignment cannot build a passage out of boilerplate alone.
    min_passage_fingerprints: int = 2
    flag_rule: FlagRule = field(default_factory=FlagRule)
    # Texts (the form's headings, stock phrases) whose k-grams never count.
    boilerplate: tuple[str, ...] = ()

    def common_df(self, document_count: int) -> int:
        by_fraction = int(self.common_df_fraction * document_count)
        return max(self.common_min_df, min(self.common_max_df, by_fraction))


def shares_author(query_keys: Collection[str], source_keys: Collection[str]) -> bool:
    return not set(query_keys).isdisjoint(source_keys)
