"""Where the Django side gets its engine: one archive index, shared by every worker.

On PostgreSQL the index lives in the database (`dedup.engine.pgstore`), so every
Celery worker on every machine reads and writes the same archive, and a restart
loses nothing. On SQLite (a laptop running `make run`) there is no shared
store: each process keeps the index in memory and fills it from the database the
first time it is used — the initiatives themselves are the source of truth.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import connection

from dedup.engine import Engine, EngineConfig, FlagRule, MemoryStore
from dedup.engine.pgstore import PostgresStore

# Headings and stock phrases of the submission form: they never count as copying.
FORM_BOILERPLATE = (
    "Tên sáng kiến",
    "Tóm tắt hiệu quả",
    "Vấn đề cần giải quyết",
    "Mô tả bản chất của sáng kiến",
    "Giải pháp đã biết trước đây",
    "Điểm mới, cải tiến so với trước",
    "Phạm vi có thể áp dụng",
    "Điều kiện cần thiết để áp dụng",
    "Lợi ích theo đánh giá của tác giả",
    "Lợi ích theo đánh giá của đơn vị áp dụng",
    "Sáng kiến đã được áp dụng thử tại đơn vị, mang lại hiệu quả thiết thực",
    "Nâng cao năng suất lao động, tiết kiệm chi phí, bảo đảm an toàn lao động",
)

_memory_engine: Engine | None = None
_memory_lock = threading.Lock()


def engine_config() -> EngineConfig:
    rule = FlagRule(
        min_coverage=settings.DEDUP_FLAG_MIN_COVERAGE,
        min_passage_chars=settings.DEDUP_FLAG_MIN_PASSAGE_CHARS,
        min_score=settings.DEDUP_FLAG_MIN_SCORE,
    )
    return EngineConfig(flag_rule=rule, boilerplate=FORM_BOILERPLATE)


def uses_shared_store() -> bool:
    return connection.vendor == "postgresql"


def get_engine() -> Engine:
    """The engine over this deployment's archive index."""
    if uses_shared_store():
        connection.ensure_connection()
        return Engine(PostgresStore(connection.connection), engine_config())
    global _memory_engine
    with _memory_lock:
        if _memory_engine is None:
            from dedup.services import archive_sources

            engine = Engine(MemoryStore(), engine_config())
            engine.rebuild(archive_sources())
            _memory_engine = engine
        return _memory_engine


@contextmanager
def rebuilding_engine() -> Iterator[Engine]:
    """An engine for a full rebuild.

    On PostgreSQL it writes through a connection of its own: the rebuild streams
    documents in with COPY while the sources are still being read through
    Django's connection, and one connection cannot do both at once.
    """
    if not uses_shared_store():
        reset_memory_engine()
        yield get_engine()
        return
    import psycopg

    own = psycopg.connect(**connection.get_connection_params(), autocommit=True)
    try:
        yield Engine(PostgresStore(own), engine_config())
    finally:
        own.close()


def reset_memory_engine() -> None:
    """Forget the in-process index (tests, and after a rebuild on SQLite)."""
    global _memory_engine
    with _memory_lock:
        _memory_engine = None
