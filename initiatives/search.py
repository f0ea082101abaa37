"""Accent-insensitive search over initiatives: what is indexed and how a query matches.

`Initiative.search_text` holds the folded words anyone may read: title, summary,
award, the authors' and the unit's names, and the body unless the initiative is
confidential (so confidential text never matches). Every write path fills it
through `initiatives.services.search_text_for`.

A query matches when every word is in the search text, except the words "sáng
kiến" themselves when the query has others: every entry of the library is a
sáng kiến, so "sang kien cai tien" asks for the initiatives about "cải tiến". On PostgreSQL the
`LIKE '%word%'` tests are served by a pg_trgm GIN index on the column
(migration 0004); results are ordered by relevance (the whole phrase first, then
trigram word similarity). SQLite has no trigram index: the same filter runs as a
scan, ordered by the phrase test alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db import connection
from django.db.models import Case, FloatField, IntegerField, QuerySet, Value, When

from core.text import fold_accents, normalize_vietnamese

MAX_QUERY_CHARS = 200
MAX_QUERY_WORDS = 10
_NOT_WORD = re.compile(r"[^\w]+")
# Folded words every initiative is about; dropped from the filter when others remain.
_GENERIC = re.compile(r"\bsang kien\b")


def fold(text: str) -> str:
    """ "Sáng kiến, cải tiến!" -> "sang kien cai tien": the form both sides are compared in."""
    return _NOT_WORD.sub(" ", fold_accents(normalize_vietnamese(text or ""))).strip()


def search_text_from(
    *,
    title: str,
    summary: str = "",
    award: str = "",
    is_confidential: bool = False,
    body: Iterable[str] = (),
    author_names: Iterable[str] = (),
    unit_name: str = "",
) -> str:
    parts = [title, summary, award, unit_name, *author_names]
    if not is_confidential:
        parts += list(body)
    return fold(" ".join(p for p in parts if p))


def query_words(query: str) -> list[str]:
    """The words a result must hold."""
    folded = fold(query[:MAX_QUERY_CHARS])
    specific = _GENERIC.sub(" ", folded).split()
    return (specific or folded.split())[:MAX_QUERY_WORDS]


def search(queryset: QuerySet, query: str, *, ranked: bool = True) -> QuerySet:
    """Initiatives whose search text holds every word of `query`, best first when `ranked`.

    The caller's own ordering follows the relevance, as a tie-break.
    """
    words = query_words(query)
    if not words:
        return queryset
    phrase = " ".join(fold(query[:MAX_QUERY_CHARS]).split()[:MAX_QUERY_WORDS])
    for word in words:
        # search_text is folded to lower case: a case-sensitive LIKE, which the trigram
        # index serves (UPPER(...) LIKE, as icontains writes it, would not use it).
        queryset = queryset.filter(search_text__contains=word)
    if not ranked:
        return queryset
    queryset = queryset.annotate(
        search_phrase=Case(
            When(search_text__contains=phrase, then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
    )
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import TrigramWordSimilarity

        queryset = queryset.annotate(search_rank=TrigramWordSimilarity(phrase, "search_text"))
    else:
        queryset = queryset.annotate(search_rank=Value(0.0, output_field=FloatField()))
    ordering = list(queryset.query.order_by) or ["-pk"]
    return queryset.order_by("-search_phrase", "-search_rank", *ordering)
