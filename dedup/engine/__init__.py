"""Archive similarity engine: whole and partial copies, Vietnamese-aware.

Plain Python (numpy, scipy, scikit-learn, psycopg 3); no Django. The design
and its measured trade-offs are in docs/similarity.md.

Public API
----------
``Source(id, kind, ref, text, author_keys=frozenset(), confidential=False)``
    A text to index. ``kind`` is "initiative", "web", "reference", "law" or
    "form" (the last two are quotations: shown, never flagged); ``id`` is
    unique over all kinds (e.g. "initiative:42"); ``author_keys`` are the keys
    of every author and co-author ("user:12", "person:abc"; "name:..." keys
    from typed names only raise ``author_name_warning``).

``EngineConfig(...)`` and ``FlagRule(min_coverage, min_passage_chars, min_score, min_total_coverage)``
    The knobs; see their docstrings. ``kgram`` and ``window`` need a rebuild
    when changed; everything else takes effect on the next check.

``Engine(store, config=None)``
    ``.add(source)``: index or replace (idempotent for the same id).
    ``.remove(source_id) -> bool``
    ``.check(text, *, author_keys=(), exclude_ids=(), kinds=None) -> CheckResult``
    ``.rebuild(sources, *, progress=None, processes=1) -> int``: replace the
    whole index; ``progress(n)`` is called with the number of sources just
    processed (feed it to tqdm's ``update``).
    ``.compact()``: fold incremental additions into the main postings (run it
    periodically, e.g. nightly from Celery beat, on the PostgreSQL store).

``CheckResult(flagged, matches, candidates_considered, copied_share)`` and
``Match(source_id, kind, ref, same_author, confidential, coverage, score,
flagged, passages, shared_fingerprints, quotation, author_name_warning,
source_text)`` with ``Passage(start, end, source_start, source_end,
syllables)``: character offsets into the checked text and into the source's
text (``Match.source_text``), both as originally given. ``coverage`` and
``copied_share`` are shares of the checked text's syllables.

``join_parts([body, attachment_text, ...]) -> (text, spans)``: checks an
initiative with its attachments' extracted text as one document.

``combine_results(text, [result, ...], config) -> CheckResult``: one verdict
over checks of the same text against different kinds of sources (the archive
check, then the web check), by the same flag rule; ``passage_coverage(text,
matches)`` is the share of the text's syllables inside their passages.

Stores
------
``MemoryStore()`` for tests; ``dedup.engine.pgstore.PostgresStore(conninfo
or connection)`` for production, whose DDL is ``pgstore.SCHEMA_SQL``.
"""

from dedup.engine.engine import (
    PART_SEPARATOR,
    Engine,
    combine_results,
    join_parts,
    passage_coverage,
    prepare_source,
)
from dedup.engine.model import (
    SOURCE_KINDS,
    CheckResult,
    EngineConfig,
    FlagRule,
    Match,
    Passage,
    Source,
)
from dedup.engine.store import IndexStore, MemoryStore, PreparedSource, StoredDocument

__all__ = [
    "PART_SEPARATOR",
    "SOURCE_KINDS",
    "CheckResult",
    "Engine",
    "EngineConfig",
    "FlagRule",
    "IndexStore",
    "Match",
    "MemoryStore",
    "Passage",
    "PreparedSource",
    "Source",
    "StoredDocument",
    "combine_results",
    "join_parts",
    "passage_coverage",
    "prepare_source",
]
