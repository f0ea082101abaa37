"""The shared archive index in PostgreSQL (psycopg 3, raw SQL).

Every Celery worker on every machine reads and writes the same tables, so the
index is shared, persistent (a restart loses nothing) and updated in place.

Layout, chosen to keep 1M documents well under 6 GB (figures in
docs/similarity.md):

- ``dedup_document``: one row per indexed version of a source, with its
  metadata and zlib-compressed text (alignment needs the text; zlib at level 6
  roughly halves Vietnamese UTF-8). ``doc_no`` is fresh for every version, so
  postings of a replaced version can never be mistaken for the new one.
- ``dedup_posting_block``: the bulk of the postings, grouped by bucket (the
  top ``BUCKET_BITS`` bits of the 32-bit fingerprint). A row holds two packed
  little-endian uint32 arrays, fingerprints (sorted) and doc_nos: 8 bytes a
  posting plus ~30 bytes of row overhead per bucket, instead of the ~60 bytes
  a posting that a (fingerprint, doc) row with a B-tree costs.
- ``dedup_posting_delta``: postings added since the last compaction, one row
  each; small, indexed by fingerprint.
- ``dedup_common_fingerprint``: fingerprints found in too many documents at
  compaction or rebuild; their postings are dropped, they never count.
- ``dedup_term``: how many documents hold each folded syllable (by hash), for
  the IDF weights of the alignment. Exact after a rebuild; an add counts its
  syllables in, a removal or replacement does not count them out (IDF is a
  logarithm: the drift is negligible until the next rebuild).
- ``dedup_term_pending``: the syllables of each document added since the
  last fold into ``dedup_term``, one packed row per add. Counting an add's
  ~300 syllables straight into ``dedup_term`` meant updating the same hot
  rows ("và", "của", ...) on every add: ~300 row versions and locks that
  serialised concurrent adds (median add 40 ms at 200k documents, against
  2-6 ms before). Reads add the pending rows to ``dedup_term``'s counts, so
  the frequencies stay exact; every ``TERM_FOLD_EVERY``-th add, a compaction
  and a rebuild fold them in.

A check reads block and delta postings in ONE statement (one snapshot), so a
concurrent compaction can neither hide nor double a posting.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import psycopg

from dedup.engine.store import (
    PreparedSource,
    ProgressCallback,
    StoredDocument,
    decompress_text,
)

BUCKET_BITS = 20
_BUCKET_SHIFT = 32 - BUCKET_BITS

SCHEMA_SQL = """
CREATE TABLE IF NOT EXISTS dedup_document (
    doc_no bigserial PRIMARY KEY,
    source_id text NOT NULL UNIQUE,
    kind text NOT NULL CHECK (kind IN ('initiative', 'web', 'reference', 'law', 'form')),
    ref text NOT NULL,
    author_keys text[] NOT NULL DEFAULT '{}',
    confidential boolean NOT NULL DEFAULT false,
    text_zlib bytea NOT NULL,
    fingerprint_count integer NOT NULL,
    indexed_at timestamptz NOT NULL DEFAULT now()
);
-- The text is already zlib-compressed: stop TOAST from trying again.
ALTER TABLE dedup_document ALTER COLUMN text_zlib SET STORAGE EXTERNAL;

CREATE TABLE IF NOT EXISTS dedup_posting_block (
    bucket integer PRIMARY KEY,
    fingerprints bytea NOT NULL,
    doc_nos bytea NOT NULL
);
ALTER TABLE dedup_posting_block ALTER COLUMN fingerprints SET STORAGE EXTERNAL;
ALTER TABLE dedup_posting_block ALTER COLUMN doc_nos SET STORAGE EXTERNAL;

CREATE TABLE IF NOT EXISTS dedup_posting_delta (
    fingerprint bigint NOT NULL,
    doc_no bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS dedup_posting_delta_fingerprint
    ON dedup_posting_delta (fingerprint);

CREATE TABLE IF NOT EXISTS dedup_common_fingerprint (
    fingerprint bigint PRIMARY KEY,
    document_frequency integer NOT NULL
);

CREATE TABLE IF NOT EXISTS dedup_term (
    term bigint PRIMARY KEY,
    document_frequency integer NOT NULL
);

CREATE TABLE IF NOT EXISTS dedup_term_pending (
    doc_no bigint PRIMARY KEY,
    terms bytea NOT NULL
);
"""

# Kinds of source the index accepts (see dedup.engine.model.SOURCE_KINDS).
KINDS_SQL = """
ALTER TABLE dedup_document DROP CONSTRAINT IF EXISTS dedup_document_kind_check;
ALTER TABLE dedup_document ADD CONSTRAINT dedup_document_kind_check
    CHECK (kind IN ('initiative', 'web', 'reference', 'law', 'form'));
"""

DROP_SCHEMA_SQL = """
DROP TABLE IF EXISTS dedup_document, dedup_posting_block, dedup_posting_delta,
    dedup_common_fingerprint, dedup_term, dedup_term_pending;
"""

TABLES = (
    "dedup_document",
    "dedup_posting_block",
    "dedup_posting_delta",
    "dedup_common_fingerprint",
    "dedup_term",
    "dedup_term_pending",
)

# Serialises compactions and rebuilds across all workers.
_MAINTENANCE_LOCK_KEY = 0x5E_DE_D0_01
# One fold of pending term counts at a time; an add that finds one running
# leaves its rows for the next.
_TERM_FOLD_LOCK_KEY = 0x5E_DE_D0_02
# Every this many doc_nos an add folds the pending term counts into
# dedup_term: a check reads at most about this many pending rows (~3 KB each).
TERM_FOLD_EVERY = 64

_TERM_FREQUENCIES_SQL = """
SELECT term, document_frequency, NULL::bytea
  FROM dedup_term WHERE term = ANY(%s)
UNION ALL
SELECT NULL, NULL, terms FROM dedup_term_pending
"""

_POSTINGS_SQL = """
SELECT fingerprints, doc_nos, NULL::bigint, NULL::bigint
  FROM dedup_posting_block WHERE bucket = ANY(%(buckets)s)
UNION ALL
SELECT NULL, NULL, fingerprint, doc_no
  FROM dedup_posting_delta WHERE fingerprint = ANY(%(fingerprints)s)
"""


class PostgresStore:
    """``IndexStore`` over PostgreSQL.

    Pass a libpq conninfo/URL (the store opens and owns an autocommit
    connection) or an open psycopg 3 connection (e.g. Django's
    ``connection.connection``), which the store uses as it is: writes run in
    ``connection.transaction()``, a savepoint inside an outer transaction.
    """

    def __init__(self, conninfo_or_connection: str | psycopg.Connection[Any]) -> None:
        if isinstance(conninfo_or_connection, str):
            self._connection = psycopg.connect(conninfo_or_connection, autocommit=True)
            self._owns_connection = True
        else:
            self._connection = conninfo_or_connection
            self._owns_connection = False

    @property
    def connection(self) -> psycopg.Connection[Any]:
        return self._connection

    def close(self) -> None:
        if self._owns_connection:
            self._connection.close()

    def create_schema(self) -> None:
        with self._connection.transaction():
            self._connection.execute(SCHEMA_SQL)
            self._connection.execute(KINDS_SQL)

    # Incremental updates ----------------------------------------------

    def add(self, prepared: PreparedSource) -> int:
        source = prepared.source
        fingerprints = prepared.fingerprints.astype(np.int64)
        with self._connection.transaction(), self._connection.cursor() as cursor:
            # Upsert with a fresh doc_no: concurrent re-adds of one source
            # serialise on its row instead of failing on the unique key.
            cursor.execute(
                """
                INSERT INTO dedup_document
                    (source_id, kind, ref, author_keys, confidential, text_zlib,
                     fingerprint_count)
                VALUES (%s, %s, %s, %s, %s, %s, %s)
                ON CONFLICT (source_id) DO UPDATE SET
                    doc_no = EXCLUDED.doc_no, kind = EXCLUDED.kind, ref = EXCLUDED.ref,
                    author_keys = EXCLUDED.author_keys,
                    confidential = EXCLUDED.confidential,
                    text_zlib = EXCLUDED.text_zlib,
                    fingerprint_count = EXCLUDED.fingerprint_count,
                    indexed_at = now()
                RETURNING doc_no
                """,
                (
                    source.id,
                    source.kind,
                    source.ref,
                    sorted(source.author_keys),
                    source.confidential,
                    prepared.compressed_text,
                    len(fingerprints),
                ),
            )
            row = cursor.fetchone()
            assert row is not None
            doc_no = int(row[0])
            cursor.execute(
                """
                INSERT INTO dedup_posting_delta (fingerprint, doc_no)
                SELECT f, %s FROM unnest(%s::bigint[]) AS f
                WHERE NOT EXISTS (
                    SELECT 1 FROM dedup_common_fingerprint c WHERE c.fingerprint = f
                )
                """,
                (doc_no, fingerprints.tolist()),
            )
            self._record_terms(cursor, doc_no, prepared.terms)
        return doc_no

    def _record_terms(self, cursor, doc_no: int, terms: np.ndarray) -> None:
        """Count the document's syllables into the document frequencies: one pending row
        now, folded into dedup_term every TERM_FOLD_EVERY documents (adds never queue
        on the hot rows of common syllables)."""
        if len(terms):
            cursor.execute(
                "INSERT INTO dedup_term_pending (doc_no, terms) VALUES (%s, %s)",
                (doc_no, _pack_terms(terms)),
            )
        if doc_no % TERM_FOLD_EVERY == 0:
            self._fold_terms(cursor, wait=False)

    def remove(self, source_id: str) -> bool:
        # Postings stay until compaction; their doc_no no longer resolves.
        with self._connection.transaction(), self._connection.cursor() as cursor:
            cursor.execute("DELETE FROM dedup_document WHERE source_id = %s", (source_id,))
            return cursor.rowcount > 0

    # Reads --------------------------------------------------------------

    def postings(self, fingerprints: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        wanted = np.unique(fingerprints.astype(np.uint32))
        if len(wanted) == 0:
            return np.empty(0, np.uint32), np.empty(0, np.int64)
        buckets = np.unique(wanted >> np.uint32(_BUCKET_SHIFT)).astype(np.int64)
        with self._connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT fingerprint FROM dedup_common_fingerprint
                WHERE fingerprint = ANY(%s)
                """,
                (wanted.astype(np.int64).tolist(),),
            )
            common = np.fromiter((r[0] for r in cursor), dtype=np.uint32)
            if len(common):
                wanted = wanted[~np.isin(wanted, common, assume_unique=True)]
            cursor.execute(
                _POSTINGS_SQL,
                {
                    "buckets": buckets.tolist(),
                    "fingerprints": wanted.astype(np.int64).tolist(),
                },
            )
            rows = cursor.fetchall()
        found_fingerprints: list[np.ndarray] = []
        found_doc_nos: list[np.ndarray] = []
        delta_fingerprints: list[int] = []
        delta_doc_nos: list[int] = []
        for block_fingerprints, block_doc_nos, fingerprint, doc_no in rows:
            if block_fingerprints is None:
                delta_fingerprints.append(fingerprint)
                delta_doc_nos.append(doc_no)
                continue
            block = np.frombuffer(block_fingerprints, dtype="<u4")
            lefts = np.searchsorted(block, wanted, side="left")
            rights = np.searchsorted(block, wanted, side="right")
            hits = np.flatnonzero(rights > lefts)
            if len(hits) == 0:
                continue
            doc_nos = np.frombuffer(block_doc_nos, dtype="<u4")
            indices = np.concatenate([np.arange(lefts[h], rights[h]) for h in hits])
            found_fingerprints.append(block[indices])
            found_doc_nos.append(doc_nos[indices].astype(np.int64))
        found_fingerprints.append(np.asarray(delta_fingerprints, dtype=np.uint32))
        found_doc_nos.append(np.asarray(delta_doc_nos, dtype=np.int64))
        return np.concatenate(found_fingerprints), np.concatenate(found_doc_nos)

    def documents(self, doc_nos: Sequence[int]) -> list[StoredDocument]:
        if not doc_nos:
            return []
        with self._connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT doc_no, source_id, kind, ref, author_keys, confidential, text_zlib
                FROM dedup_document WHERE doc_no = ANY(%s)
                """,
                (list(doc_nos),),
            )
            rows = cursor.fetchall()
        return [
            StoredDocument(
                doc_no=int(doc_no),
                source_id=source_id,
                kind=kind,
                ref=ref,
                author_keys=frozenset(author_keys),
                confidential=confidential,
                text=decompress_text(text_zlib),
            )
            for doc_no, source_id, kind, ref, author_keys, confidential, text_zlib in rows
        ]

    def document_count(self) -> int:
        # The planner's estimate is free and close enough to scale a
        # document-frequency threshold; small or never-analysed tables
        # (estimate < 0 or tiny) get an exact count.
        with self._connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE oid = 'dedup_document'::regclass")
            row = cursor.fetchone()
            estimate = int(row[0]) if row else -1
            if estimate >= 100_000:
                return estimate
            cursor.execute("SELECT count(*) FROM dedup_document")
            row = cursor.fetchone()
            return int(row[0]) if row else 0

    def term_frequencies(self, terms: np.ndarray) -> np.ndarray:
        wanted = terms.astype(np.int64)
        if len(wanted) == 0:
            return np.empty(0, dtype=np.int64)
        # One statement, one snapshot: a concurrent fold moves counts from
        # the pending rows to dedup_term without this read seeing both or neither.
        with self._connection.cursor() as cursor:
            cursor.execute(_TERM_FREQUENCIES_SQL, (wanted.tolist(),))
            rows = cursor.fetchall()
        found = {term: frequency for term, frequency, _ in rows if term is not None}
        counts = np.asarray([found.get(t, 0) for t in wanted.tolist()], dtype=np.int64)
        pending = [_unpack_terms(packed) for _, _, packed in rows if packed is not None]
        if pending:
            # Each pending row holds a document's terms once: a term's count
            # there is how many pending documents hold it.
            held = np.sort(np.concatenate(pending))
            counts += np.searchsorted(held, wanted, side="right") - np.searchsorted(
                held, wanted, side="left"
            )
        return counts

    def index_size_bytes(self) -> dict[str, int]:
        with self._connection.cursor() as cursor:
            return {
                table: int(
                    cursor.execute("SELECT pg_total_relation_size(%s)", (table,)).fetchone()[0]  # type: ignore[index]
                )
                for table in TABLES
            }

    # Rebuild and compaction ------------------------------------------------

    def bulk_load(
        self,
        prepared: Iterable[PreparedSource],
        *,
        common_df: Callable[[int], int],
        progress: ProgressCallback | None = None,
    ) -> int:
        """Replace the whole index in one transaction.

        Documents stream in with COPY while their postings accumulate in
        memory (12 bytes each); postings are then sorted once and written as
        bucket blocks. Checks running meanwhile wait on the table locks and
        see the old index until the commit, then the new one.
        """
        connection = self._connection
        with connection.transaction(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", (_MAINTENANCE_LOCK_KEY,))
            cursor.execute(
                "TRUNCATE dedup_document, dedup_posting_block, dedup_posting_delta,"
                " dedup_common_fingerprint, dedup_term, dedup_term_pending RESTART IDENTITY"
            )
            term_counts = _TermCounter()
            fingerprint_chunks: list[np.ndarray] = []
            doc_no_chunks: list[np.ndarray] = []
            doc_no = 0
            # Binary COPY: text COPY would double every bytea into hex.
            with cursor.copy(
                "COPY dedup_document (doc_no, source_id, kind, ref, author_keys,"
                " confidential, text_zlib, fingerprint_count) FROM STDIN (FORMAT BINARY)"
            ) as copy:
                copy.set_types(["int8", "text", "text", "text", "text[]", "bool", "bytea", "int4"])
                for item in prepared:
                    doc_no += 1
                    source = item.source
                    copy.write_row(
                        (
                            doc_no,
                            source.id,
                            source.kind,
                            source.ref,
                            sorted(source.author_keys),
                            source.confidential,
                            item.compressed_text,
                            len(item.fingerprints),
                        )
                    )
                    fingerprint_chunks.append(item.fingerprints)
                    doc_no_chunks.append(np.full(len(item.fingerprints), doc_no, np.uint32))
                    term_counts.add(item.terms)
                    if progress is not None:
                        progress(1)
            cursor.execute(
                "SELECT setval('dedup_document_doc_no_seq', %s, true)", (max(doc_no, 1),)
            )
            fingerprints = np.concatenate(fingerprint_chunks or [np.empty(0, np.uint32)])
            del fingerprint_chunks
            doc_nos = np.concatenate(doc_no_chunks or [np.empty(0, np.uint32)])
            del doc_no_chunks
            self._write_blocks(cursor, fingerprints, doc_nos, common_df(doc_no))
            terms, counts = term_counts.totals()
            with cursor.copy(
                "COPY dedup_term (term, document_frequency) FROM STDIN (FORMAT BINARY)"
            ) as copy:
                copy.set_types(["int8", "int4"])
                for row in zip(terms.tolist(), counts.tolist(), strict=True):
                    copy.write_row(row)
        with contextlib.suppress(psycopg.Error):
            connection.execute("ANALYZE dedup_document")
        return doc_no

    def compact(self, *, common_df: Callable[[int], int]) -> None:
        """Fold the delta into the blocks, drop stale postings, stop-list
        fingerprints that have become common. Rewrites only touched buckets."""
        connection = self._connection
        with connection.transaction(), connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", (_MAINTENANCE_LOCK_KEY,))
            self._fold_terms(cursor, wait=True)
            cursor.execute("DELETE FROM dedup_posting_delta RETURNING fingerprint, doc_no")
            delta = cursor.fetchall()
            if not delta:
                return
            delta_array = np.asarray(delta, dtype=np.int64)
            cursor.execute("SELECT doc_no FROM dedup_document")
            live = np.fromiter((r[0] for r in cursor), dtype=np.int64)
            buckets = np.unique(delta_array[:, 0] >> _BUCKET_SHIFT)
            cursor.execute(
                "SELECT fingerprints, doc_nos FROM dedup_posting_block"
                " WHERE bucket = ANY(%s) FOR UPDATE",
                (buckets.tolist(),),
            )
            old_fingerprints: list[np.ndarray] = []
            old_doc_nos: list[np.ndarray] = []
            for block_fingerprints, block_doc_nos in cursor:
                old_fingerprints.append(np.frombuffer(block_fingerprints, dtype="<u4"))
                old_doc_nos.append(np.frombuffer(block_doc_nos, dtype="<u4"))
            fingerprints = np.concatenate([delta_array[:, 0].astype(np.uint32), *old_fingerprints])
            doc_nos = np.concatenate([delta_array[:, 1].astype(np.uint32), *old_doc_nos])
            is_live = np.isin(doc_nos, live)
            cursor.execute(
                "DELETE FROM dedup_posting_block WHERE bucket = ANY(%s)", (buckets.tolist(),)
            )
            self._write_blocks(
                cursor, fingerprints[is_live], doc_nos[is_live], common_df(len(live))
            )

    def fold_terms(self) -> None:
        """Fold every pending term count into ``dedup_term`` now."""
        with self._connection.transaction(), self._connection.cursor() as cursor:
            self._fold_terms(cursor, wait=True)

    def _fold_terms(self, cursor: psycopg.Cursor[Any], *, wait: bool) -> None:
        if wait:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", (_TERM_FOLD_LOCK_KEY,))
        else:
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", (_TERM_FOLD_LOCK_KEY,))
            row = cursor.fetchone()
            if not (row and row[0]):
                return
        cursor.execute("DELETE FROM dedup_term_pending RETURNING terms")
        pending = [_unpack_terms(packed) for (packed,) in cursor.fetchall()]
        if not pending:
            return
        terms, counts = np.unique(np.concatenate(pending), return_counts=True)
        # Sorted, so that concurrent folds and rebuilds lock rows in one order.
        cursor.execute(
            """
            INSERT INTO dedup_term (term, document_frequency)
            SELECT * FROM unnest(%s::bigint[], %s::integer[]) ORDER BY 1
            ON CONFLICT (term) DO UPDATE
                SET document_frequency = dedup_term.document_frequency
                    + EXCLUDED.document_frequency
            """,
            (terms.tolist(), counts.tolist()),
        )

    def _write_blocks(
        self,
        cursor: psycopg.Cursor[Any],
        fingerprints: np.ndarray,
        doc_nos: np.ndarray,
        common_limit: int,
    ) -> None:
        if len(fingerprints) == 0:
            return
        # One sort of (fingerprint, doc_no) keys orders the postings by bucket,
        # then fingerprint, then doc_no.
        keys = (fingerprints.astype(np.uint64) << np.uint64(32)) | doc_nos.astype(np.uint64)
        del fingerprints, doc_nos
        keys.sort()
        keys = keys[np.concatenate([[True], keys[1:] != keys[:-1]])]
        fingerprints = (keys >> np.uint64(32)).astype(np.uint32)
        doc_nos = (keys & np.uint64(0xFFFFFFFF)).astype(np.uint32)
        del keys
        starts = np.flatnonzero(np.concatenate([[True], fingerprints[1:] != fingerprints[:-1]]))
        frequencies = np.diff(np.append(starts, len(fingerprints)))
        common = frequencies >= common_limit
        if common.any():
            # An upsert, not COPY: a compaction can meet a fingerprint that a
            # concurrent add put in the delta just as it became common.
            cursor.execute(
                """
                INSERT INTO dedup_common_fingerprint (fingerprint, document_frequency)
                SELECT * FROM unnest(%s::bigint[], %s::integer[])
                ON CONFLICT (fingerprint) DO UPDATE
                    SET document_frequency = EXCLUDED.document_frequency
                """,
                (fingerprints[starts[common]].tolist(), frequencies[common].tolist()),
            )
            keep = np.repeat(~common, frequencies)
            fingerprints, doc_nos = fingerprints[keep], doc_nos[keep]
        buckets = fingerprints >> np.uint32(_BUCKET_SHIFT)
        bucket_starts = np.flatnonzero(np.concatenate([[True], buckets[1:] != buckets[:-1]]))
        bucket_ends = np.append(bucket_starts[1:], len(buckets))
        fingerprint_bytes = fingerprints.astype("<u4").tobytes()
        doc_no_bytes = doc_nos.astype("<u4").tobytes()
        with cursor.copy(
            "COPY dedup_posting_block (bucket, fingerprints, doc_nos) FROM STDIN (FORMAT BINARY)"
        ) as copy:
            copy.set_types(["int4", "bytea", "bytea"])
            for bucket, start, end in zip(
                buckets[bucket_starts].tolist(),
                bucket_starts.tolist(),
                bucket_ends.tolist(),
                strict=True,
            ):
                copy.write_row(
                    (
                        bucket,
                        fingerprint_bytes[start * 4 : end * 4],
                        doc_no_bytes[start * 4 : end * 4],
                    )
                )


def _pack_terms(terms: np.ndarray) -> bytes:
    return np.unique(terms.astype(np.int64)).astype("<i8").tobytes()


def _unpack_terms(packed: bytes) -> np.ndarray:
    return np.frombuffer(packed, dtype="<i8").astype(np.int64)


class _TermCounter:
    """Document frequencies of terms over a stream of documents, in numpy.

    Collects each document's unique terms and folds them into running totals
    every ``flush_every`` terms, so memory stays at the vocabulary's size.
    """

    def __init__(self, flush_every: int = 5_000_000) -> None:
        self._pending: list[np.ndarray] = []
        self._pending_size = 0
        self._flush_every = flush_every
        self._terms = np.empty(0, dtype=np.int64)
        self._counts = np.empty(0, dtype=np.int64)

    def add(self, terms: np.ndarray) -> None:
        self._pending.append(terms)
        self._pending_size += len(terms)
        if self._pending_size >= self._flush_every:
            self._flush()

    def _flush(self) -> None:
        if not self._pending:
            return
        new_terms, new_counts = np.unique(np.concatenate(self._pending), return_counts=True)
        self._pending, self._pending_size = [], 0
        terms = np.concatenate([self._terms, new_terms])
        counts = np.concatenate([self._counts, new_counts])
        self._terms, inverse = np.unique(terms, return_inverse=True)
        self._counts = np.bincount(inverse, weights=counts).astype(np.int64)

    def totals(self) -> tuple[np.ndarray, np.ndarray]:
        self._flush()
        return self._terms, self._counts
