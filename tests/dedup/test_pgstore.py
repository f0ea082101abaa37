"""The shared PostgreSQL index, against a real throwaway database.

Uses ``DEDUP_TEST_PG_DSN`` when set (a database the test may create and drop
tables in), else pytest's own test database when the suite runs on PostgreSQL
(never the database named in ``DATABASE_URL``: the tests drop the index tables),
otherwise creates ``sangkien_dedup_test_<pid>`` on 127.0.0.1 as user postgres and
drops it afterwards. Without PostgreSQL the tests fail in CI and skip elsewhere.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import numpy as np
import pytest

from dedup.engine import Engine, EngineConfig, Source
from dedup.engine.pgstore import DROP_SCHEMA_SQL, PostgresStore
from tests.dedup.test_engine import (
    CONFIG,
    archive_document,
    copied_paragraph,
    source,
    with_copied_paragraph,
)
from tests.workers import database_url

psycopg = pytest.importorskip("psycopg")

ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"


def _unavailable(reason: str) -> None:
    message = f"PostgreSQL unavailable: {reason}"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def dsn(db) -> Iterator[str]:
    given = os.environ.get("DEDUP_TEST_PG_DSN")
    if given:
        yield given
        return
    from django.db import connection

    if connection.vendor == "postgresql":
        yield database_url(connection.settings_dict)  # pytest's test_... database
        return
    name = f"sangkien_dedup_test_{os.getpid()}"
    try:
        admin = psycopg.connect(ADMIN_DSN, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        _unavailable(str(error))
    with admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def store(dsn: str) -> Iterator[PostgresStore]:
    store = PostgresStore(dsn)
    store.connection.execute(DROP_SCHEMA_SQL)
    store.create_schema()
    yield store
    # Leave the index tables as the migration made them (empty): other tests use them.
    store.connection.execute(DROP_SCHEMA_SQL)
    store.create_schema()
    store.close()


def test_rebuild_then_check_finds_whole_and_partial_copies(store: PostgresStore) -> None:
    engine = Engine(store, CONFIG)
    seen: list[int] = []
    assert engine.rebuild((source(i) for i in range(12)), progress=seen.append) == 12
    assert sum(seen) == 12

    whole = engine.check(archive_document(3), author_keys={"user:x"})
    assert whole.flagged and whole.matches[0].source_id == "initiative:3"

    partial = with_copied_paragraph(copied_paragraph(6, 10, 4), offset=0)
    result = engine.check(partial, author_keys={"user:x"})
    assert {m.source_id for m in result.matches if m.flagged} == {"initiative:6"}


def test_rebuild_runs_in_worker_processes(store: PostgresStore) -> None:
    engine = Engine(store, CONFIG)
    assert engine.rebuild((source(i) for i in range(8)), processes=2) == 8
    assert engine.check(archive_document(7)).matches[0].source_id == "initiative:7"


def test_incremental_add_replace_remove_and_compact(store: PostgresStore) -> None:
    engine = Engine(store, CONFIG)
    engine.rebuild(source(i) for i in range(4))
    engine.add(source(10))
    engine.add(source(10))  # idempotent: one document, fresh doc_no
    assert store.document_count() == 5
    assert engine.check(archive_document(10)).matches[0].source_id == "initiative:10"

    # Replacing the text: the old version's postings no longer match.
    engine.add(Source("initiative:10", "initiative", "10", archive_document(11)))
    assert engine.check(archive_document(10)).matches == ()
    assert engine.check(archive_document(11)).matches[0].source_id == "initiative:10"

    engine.compact()
    delta = store.connection.execute("SELECT count(*) FROM dedup_posting_delta").fetchone()
    assert delta == (0,)
    assert engine.check(archive_document(11)).matches[0].source_id == "initiative:10"
    assert engine.check(archive_document(2)).matches[0].source_id == "initiative:2"

    assert engine.remove("initiative:10")
    assert not engine.remove("initiative:10")
    assert engine.check(archive_document(11)).matches == ()


def test_same_author_and_confidential_survive_the_round_trip(store: PostgresStore) -> None:
    engine = Engine(store, CONFIG)
    engine.add(source(1, authors={"user:1", "member:co"}, confidential=True))
    (match,) = engine.check(archive_document(1), author_keys={"member:co"}).matches
    assert match.same_author and match.confidential and not match.flagged


def test_a_second_connection_sees_the_same_index(store: PostgresStore, dsn: str) -> None:
    # Workers on other machines: another connection, same tables.
    Engine(store, CONFIG).add(source(5))
    other = PostgresStore(dsn)
    try:
        result = Engine(other, CONFIG).check(archive_document(5))
        assert result.matches[0].source_id == "initiative:5"
    finally:
        other.close()


def test_common_fingerprints_are_stop_listed_at_rebuild(store: PostgresStore) -> None:
    stock = copied_paragraph(19, 0, 3)
    engine = Engine(store, EngineConfig(boilerplate=CONFIG.boilerplate, common_min_df=3))
    engine.rebuild(
        Source(f"initiative:{i}", "initiative", str(i), archive_document(i) + "\n" + stock)
        for i in range(8)
    )
    common = store.connection.execute("SELECT count(*) FROM dedup_common_fingerprint").fetchone()
    assert common is not None and common[0] > 0
    assert engine.check(with_copied_paragraph(stock, offset=300)).matches == ()


def test_postings_of_unknown_fingerprints_are_empty(store: PostgresStore) -> None:
    fingerprints, doc_nos = store.postings(np.asarray([1, 2, 3], dtype=np.uint32))
    assert len(fingerprints) == len(doc_nos) == 0


def test_store_accepts_an_existing_connection(dsn: str) -> None:
    with psycopg.connect(dsn) as connection:
        store = PostgresStore(connection)
        store.connection.execute(DROP_SCHEMA_SQL)
        store.create_schema()
        Engine(store, CONFIG).add(source(2))
        assert store.document_count() == 1
        assert sum(store.index_size_bytes().values()) > 0
        connection.rollback()


def test_the_tests_never_touch_the_database_named_in_database_url(dsn: str) -> None:
    developers = os.environ.get("DATABASE_URL", "").rsplit("/", 1)[-1]
    assert dsn.rsplit("/", 1)[-1] != developers


def test_term_frequencies_stay_exact_through_adds_and_folds(
    store: PostgresStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dedup.engine import pgstore
    from dedup.engine.engine import prepare_source

    monkeypatch.setattr(pgstore, "TERM_FOLD_EVERY", 4)
    engine = Engine(store, CONFIG)
    engine.rebuild(source(i) for i in range(3))
    for i in range(3, 10):
        engine.add(source(i))
    terms = np.unique(np.concatenate([prepare_source(source(i), CONFIG).terms for i in range(10)]))
    # An add writes one pending row; every 4th doc_no folds them into dedup_term.
    pending = store.connection.execute("SELECT count(*) FROM dedup_term_pending").fetchone()
    assert pending is not None and 0 < pending[0] < 4
    counted = store.term_frequencies(terms)

    reference = PostgresStore(store.connection)
    reference.bulk_load(
        (prepare_source(source(i), CONFIG) for i in range(10)), common_df=CONFIG.common_df
    )
    rebuilt = reference.term_frequencies(terms)
    assert counted.tolist() == rebuilt.tolist()
    assert counted.max() == 10  # a syllable of every document

    for i in range(10, 12):
        engine.add(source(i))
    before = store.term_frequencies(terms)
    store.fold_terms()
    assert store.connection.execute("SELECT count(*) FROM dedup_term_pending").fetchone() == (0,)
    assert store.term_frequencies(terms).tolist() == before.tolist()
