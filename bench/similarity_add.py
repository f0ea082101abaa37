"""Time one incremental add to the PostgreSQL archive index, now and as before.

Before issue 15's fix an add upserted each of its ~300 folded syllables into
``dedup_term`` (one row per syllable, the same hot rows on every add); now it
writes one ``dedup_term_pending`` row and every ``TERM_FOLD_EVERY``-th add folds
the pending rows in. Both are timed on the same index, alternating, with
documents of the benchmark's generator; the added documents are removed at the
end (and the pending counts folded) so the index is left as it was found, apart
from the term counts of the added documents.

    .venv/bin/python bench/similarity_add.py --dsn postgresql://postgres@127.0.0.1/sangkien_w15 --adds 300
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from similarity import _corpus_for, archive_source, engine_config  # noqa: E402

from dedup.engine import Engine  # noqa: E402
from dedup.engine.pgstore import PostgresStore  # noqa: E402


class FormerStore(PostgresStore):
    """The add of before the fix: every syllable upserted into dedup_term."""

    def _record_terms(self, cursor, doc_no: int, terms: np.ndarray) -> None:
        cursor.execute(
            """
            INSERT INTO dedup_term (term, document_frequency)
            SELECT t, 1 FROM unnest(%s::bigint[]) AS t ORDER BY t
            ON CONFLICT (term) DO UPDATE
                SET document_frequency = dedup_term.document_frequency + 1
            """,
            (np.sort(terms).tolist(),),
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dsn", required=True)
    parser.add_argument("--adds", type=int, default=300, help="adds per variant")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    corpus = _corpus_for(args.seed)
    config = engine_config()
    engines = {
        "before (per-add dedup_term upsert)": Engine(FormerStore(args.dsn), config),
        "after (pending row, batched fold)": Engine(PostgresStore(args.dsn), config),
    }
    timings: dict[str, list[float]] = {name: [] for name in engines}
    added: list[str] = []
    stamp = int(time.time())
    for i in range(args.adds):
        for offset, (name, engine) in enumerate(engines.items()):
            index = 3 * 10**9 + 2 * i + offset
            source = archive_source(index, corpus.document(index))
            source = type(source)(
                id=f"bench-add:{stamp}:{index}",
                kind=source.kind,
                ref=source.ref,
                text=source.text,
                author_keys=source.author_keys,
            )
            started = time.perf_counter()
            engine.add(source)
            timings[name].append((time.perf_counter() - started) * 1000)
            added.append(source.id)
    store = PostgresStore(args.dsn)
    for source_id in added:
        store.remove(source_id)
    store.fold_terms()
    for name, values in timings.items():
        values.sort()
        print(
            f"{name}: median {statistics.median(values):.1f} ms,"
            f" p95 {values[int(len(values) * 0.95)]:.1f} ms,"
            f" p99 {values[int(len(values) * 0.99)]:.1f} ms (n={len(values)})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
