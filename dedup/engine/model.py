"""Value types of the similarity engine: what goes in, what comes out."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Literal

SourceKind = Literal["initiative", "web", "reference", "law", "form"]
SOURCE_KINDS: tuple[str, ...] = ("initiative", "web", "reference", "law", "form")
# Texts that many initiatives quote on purpose (laws, decrees, the legal form):
# a match with one is shown as a quotation and never flags, and the quoted
# sentences count as copying from nobody else either.
QUOTATION_KINDS: frozenset[str] = frozenset({"law", "form"})
# Author keys built from a typed name (anyone can type any name): never proof
# of the same author, only a warning for the reviewer.
TYPED_NAME_KEY_PREFIX = "name:"


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
    syllables: int = 0  # syllables of the checked text in the passage

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
    coverage: float  # share of the checked text's syllables inside passages
    score: float  # TF-IDF cosine of the two whole texts
    flagged: bool
    passages: tuple[Passage, ...]
    shared_fingerprints: int = 0
    # A law or form text quoted, not copying (``QUOTATION_KINDS``).
    quotation: bool = False
    # A typed author name of the checked text equals one of the source's:
    # not proof of the same person (anyone can type a name), shown to the
    # reviewer as a warning.
    author_name_warning: bool = False
    # The source's text as indexed: what ``source_start``/``source_end`` index.
    source_text: str = field(default="", repr=False)


@dataclass(frozen=True, slots=True)
class CheckResult:
    flagged: bool
    matches: tuple[Match, ...]
    candidates_considered: int = 0
    # Share of the checked text's syllables copied from other people's
    # sources, all sources together (quotations and own work left out).
    copied_share: float = 0.0


@dataclass(frozen=True, slots=True)
class FlagRule:
    """Turns a match into flagged (needs review) or not.

    A match flags when it is someone else's text (never own earlier work),
    copied passages cover at least ``min_coverage`` of the checked text, the
    longest passage has at least ``min_passage_chars`` characters, and the
    whole-text TF-IDF score is at least ``min_score``.

    Several small sources add up: when the passages of other people's
    sources that do not flag on their own, each with a passage of at least
    ``min_passage_chars``, cover together at least ``min_total_coverage``
    (default: ``min_coverage``) of the checked text, all of them flag. (One
    big source does not drag a stray shared sentence elsewhere along.)
    """

    min_coverage: float = 0.04
    min_passage_chars: int = 100
    min_score: float = 0.0
    min_total_coverage: float | None = None

    @property
    def total_coverage(self) -> float:
        return self.min_coverage if self.min_total_coverage is None else self.min_total_coverage

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
    # A fingerprint held by common_df(N) documents or more is a stock phrase,
    # a form heading or a quoted law: it never counts as evidence of copying
    # (``is_common``). common_df(N) is
    # clamp(common_df_fraction * N, common_min_df, common_max_df).
    common_df_fraction: float = 0.0005
    common_min_df: int = 5
    common_max_df: int = 1000
    # Candidates: sources sharing at least this many non-common fingerprints.
    # The best ``max_candidates`` by count always go on to alignment; further
    # ones only while they bring fingerprints no better candidate holds (a
    # true source among many documents quoting the same text), up to
    # ``candidate_limit``.
    min_shared_fingerprints: int = 3
    max_candidates: int = 8
    candidate_limit: int = 64
    # Alignment (Sanchez-Perez et al. 2014, whose thresholds were 0.33 for
    # paraphrase; copies here are disguised, not paraphrased, and 0.5 keeps
    # same-topic sentences apart): sentence pairs with TF-IDF cosine and Dice
    # both >= the seed thresholds, or sharing a fingerprint and with
    # cosine >= fingerprint_seed_cosine, are seeds; seeds at most ``max_gap``
    # sentences apart on both sides merge into one passage (only the aligned
    # sentences count as copied).
    seed_cosine: float = 0.5
    seed_dice: float = 0.5
    fingerprint_seed_cosine: float = 0.4
    max_gap: int = 2
    max_unit_syllables: int = 40
    min_unit_syllables: int = 4
    short_unit_syllables: int = 10
    # A passage must hold this many distinct shared fingerprints that are not
    # common text, so that alignment cannot build a passage out of
    # boilerplate, a stock phrase or a shared topic alone.
    min_passage_fingerprints: int = 3
    flag_rule: FlagRule = field(default_factory=FlagRule)
    # Texts (the form's headings, stock phrases) whose k-grams never count.
    boilerplate: tuple[str, ...] = ()

    def common_df(self, document_count: int) -> int:
        by_fraction = int(self.common_df_fraction * document_count)
        return max(self.common_min_df, min(self.common_max_df, by_fraction))

    def is_common(self, document_frequency, document_count: int):
        """Text held by at least ``common_df(N)`` documents is common text
        (works on numbers and numpy arrays alike)."""
        return document_frequency >= self.common_df(document_count)


def shares_author(query_keys: Collection[str], source_keys: Collection[str]) -> bool:
    """Same person only through an account or a verified member id, never
    through a typed name."""
    return not _proven(query_keys).isdisjoint(_proven(source_keys))


def shares_typed_name(query_keys: Collection[str], source_keys: Collection[str]) -> bool:
    typed = {k for k in query_keys if k.startswith(TYPED_NAME_KEY_PREFIX)}
    return not typed.isdisjoint(source_keys)


def _proven(keys: Collection[str]) -> set[str]:
    return {k for k in keys if not k.startswith(TYPED_NAME_KEY_PREFIX)}
