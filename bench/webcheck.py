"""The web-copy check (issue 10) on a local Internet of real Vietnamese pages.

The corpus is the real text of ``bench/realtext.py`` (shared with
``bench/similarity_hard.py``): the Vietnamese
translations of the Debian packages installed here (msgstr of
/usr/share/locale/vi/LC_MESSAGES/*.mo), each package a topic, messages that share
an 8-syllable run with an earlier one dropped. Per topic, three quarters of the
messages become web pages (windows of about 150 syllables, a new page every ~50
syllables, so a paragraph is on two or three pages as on mirrors and
aggregators), a quarter is the "own" text of initiatives (half of it builds an
archive of initiatives, which gives the IDF; half writes the checked initiatives).

Served on 127.0.0.1: every page as HTML with a menu and a footer around the
article (trafilatura must keep the article only), and a SearXNG-compatible
``/search?format=json`` over SQLite FTS5 (accents folded, OR of the query's
syllables ranked by bm25, top 10 with an FTS5 snippet).

Initiatives (about 800 syllables, as the median initiative): own text of a topic
with 5, 10, 20, 50 or 100 % planted from pages, in pieces of at most 120
syllables from distinct pages (so 20 % and more copy from several sources), in the
archive check's disguises (plain, accent-free, zero-width characters, Cyrillic
look-alikes, Telex, VNI, changed numbers, mixed); and negatives (own text of the
same topics as the pages, nothing copied).

Each check runs the real code path without Django: ``retrieve`` (queries from the
archive index's IDF, SearXNG provider over HTTP, downloads through the guarded
``Fetcher``, trafilatura) then ``Engine.check`` over the pages it indexed; the
pages are removed again after each check (a cold cache for every initiative).
A planted source counts as found when a flagged web match holds at least half of
the planted piece's syllable 5-grams.

    .venv/bin/python bench/webcheck.py --per-cell 6 --json var/bench/webcheck.json
"""

from __future__ import annotations

import argparse
import html
import json
import random
import re
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import realtext  # noqa: E402

from core.text import folded_tokens  # noqa: E402
from dedup.engine import Engine, EngineConfig, MemoryStore, Source  # noqa: E402
from dedup.engine.fingerprint import kgram_hashes  # noqa: E402
from dedup.webcheck.fetch import (  # noqa: E402
    AddressGuard,
    Fetcher,
    FetchLimits,
    parse_allowed_networks,
)
from dedup.webcheck.providers import SearxngProvider  # noqa: E402
from dedup.webcheck.retrieval import RetrievalLimits, retrieve  # noqa: E402

FRACTIONS = (0.05, 0.10, 0.20, 0.50, 1.00)
DOCUMENT_SYLLABLES = 800
PAGE_SYLLABLES = 150
PAGE_STRIDE = 50
PIECE_SYLLABLES = 120
WEB_KINDS = ("web", "reference", "law", "form")


# The local Internet -------------------------------------------------------------


@dataclass
class WebPage:
    id: int
    topic: str
    title: str
    text: str


def build_pages(topics: dict[str, list[str]], rng: random.Random) -> list[WebPage]:
    """Overlapping windows of each topic's messages; a quarter of the topics carry
    amounts and dates every few words (the "numbers" disguise changes them)."""
    pages: list[WebPage] = []
    for index, (topic, messages) in enumerate(sorted(topics.items())):
        if index % 4 == 3:
            messages = realtext.with_numbers(messages, rng)
        sizes = [realtext.syllables(m) for m in messages]
        start = 0
        while start < len(messages):
            end, size = start, 0
            while end < len(messages) and size < PAGE_SYLLABLES:
                size += sizes[end]
                end += 1
            if size >= PAGE_SYLLABLES // 2:
                text = " ".join(messages[start:end])
                title = f"{topic}: {' '.join(messages[start].split()[:8])}"
                pages.append(WebPage(len(pages), topic, title, text))
            # Next page starts ~PAGE_STRIDE syllables later: pages overlap (mirrors).
            advanced = 0
            while start < end and advanced < PAGE_STRIDE:
                advanced += sizes[start]
                start += 1
            if end >= len(messages):
                break
    return pages


def page_html(page: WebPage) -> bytes:
    paragraphs = "".join(f"<p>{html.escape(s)}</p>" for s in re.split(r"(?<=[.!?])\s+", page.text))
    return (
        "<!doctype html><html lang='vi'><head><meta charset='utf-8'>"
        f"<title>{html.escape(page.title)}</title></head><body>"
        "<header><nav><a href='/'>Trang chủ</a> · <a href='/chu-de'>Chủ đề</a> · "
        "<a href='/lien-he'>Liên hệ</a> · <a href='/dang-nhap'>Đăng nhập</a></nav></header>"
        f"<main><article><h1>{html.escape(page.title)}</h1>{paragraphs}</article></main>"
        "<aside><h2>Bài đọc nhiều</h2><ul><li><a href='/p/1'>Bài một</a></li>"
        "<li><a href='/p/2'>Bài hai</a></li></ul></aside>"
        "<footer>Bản quyền thuộc về trang tin cộng đồng. Ghi rõ nguồn khi phát hành lại."
        "</footer></body></html>"
    ).encode()


class LocalInternet:
    """Pages at /p/<id> and /search?q=…&format=json over SQLite FTS5, on 127.0.0.1."""

    def __init__(self, pages: list[WebPage]) -> None:
        self.pages = pages
        self.folder = tempfile.TemporaryDirectory()
        self.db_path = str(Path(self.folder.name) / "search.sqlite3")
        db = sqlite3.connect(self.db_path)
        db.execute(
            "CREATE VIRTUAL TABLE pages USING fts5(title, body, "
            "tokenize = 'unicode61 remove_diacritics 2')"
        )
        db.executemany(
            "INSERT INTO pages(rowid, title, body) VALUES (?, ?, ?)",
            [(p.id, p.title, p.text) for p in pages],
        )
        db.commit()
        db.close()
        self.local = threading.local()
        self.searches = 0
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def base(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, page_id: int) -> str:
        return f"{self.base}/p/{page_id}"

    def search(self, query: str) -> list[dict]:
        self.searches += 1
        terms = [t for t in re.findall(r"\w+", query) if not t.isdigit()]
        if not terms:
            return []
        if not hasattr(self.local, "db"):
            self.local.db = sqlite3.connect(self.db_path)
        match = " OR ".join(f'"{t}"' for t in dict.fromkeys(terms))
        rows = self.local.db.execute(
            "SELECT rowid, title, snippet(pages, 1, '', '', ' … ', 24) FROM pages "
            "WHERE pages MATCH ? ORDER BY bm25(pages) LIMIT 10",
            (match,),
        ).fetchall()
        return [{"url": self.url(r[0]), "title": r[1], "content": r[2]} for r in rows]

    def _handler(self):
        internet = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                parts = urlsplit(self.path)
                if parts.path == "/search":
                    query = (parse_qs(parts.query).get("q") or [""])[0]
                    body = json.dumps({"query": query, "results": internet.search(query)})
                    self._send(200, body.encode(), "application/json")
                    return
                match = re.fullmatch(r"/p/(\d+)", parts.path)
                if not match or int(match.group(1)) >= len(internet.pages):
                    self._send(404, b"not found", "text/plain")
                    return
                page = internet.pages[int(match.group(1))]
                self._send(200, page_html(page), "text/html; charset=utf-8")

            def _send(self, status: int, body: bytes, content_type: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler


# Initiatives ------------------------------------------------------------------------


@dataclass
class Query:
    kind: str  # copy / negative
    disguise: str
    fraction: float
    text: str
    pieces: list[str] = field(default_factory=list)  # the planted text, undisguised
    source_pages: list[int] = field(default_factory=list)  # the pages it came from


def _take(messages: list[str], syllable_count: int, rng: random.Random) -> list[str]:
    return realtext.excerpt(messages, syllable_count, rng.randrange(len(messages)))


def _piece(page: WebPage, syllable_count: int, rng: random.Random) -> str:
    sentences = re.split(r"(?<=[.!?:;])\s+", page.text)
    return " ".join(
        realtext.excerpt(sentences, syllable_count, rng.randrange(max(1, len(sentences) - 1)))
    )


def build_queries(
    pages: list[WebPage], own: dict[str, list[str]], per_cell: int, rng: random.Random
) -> list[Query]:
    topics = sorted(t for t in own if own[t])
    numbered = [p for p in pages if re.search(r"\d+\.\d{3}", p.text)]
    queries: list[Query] = []
    for kind in realtext.DISGUISES:
        for fraction in FRACTIONS:
            for _ in range(per_cell):
                topic = rng.choice(topics)
                copied_total = int(DOCUMENT_SYLLABLES * fraction)
                pool = numbered if kind in ("numbers", "mixed") else pages
                sources = rng.sample(pool, max(1, -(-copied_total // PIECE_SYLLABLES)))
                pieces = [_piece(page, copied_total // len(sources), rng) for page in sources]
                own_text = _take(own[topic], DOCUMENT_SYLLABLES - copied_total, rng)
                if fraction >= 1.0:
                    own_text = []
                parts = list(own_text)
                for piece in pieces:
                    parts.insert(rng.randint(0, len(parts)), realtext.disguise(piece, kind, rng))
                queries.append(
                    Query("copy", kind, fraction, " ".join(parts), pieces, [p.id for p in sources])
                )
    for _ in range(per_cell * 8):
        topic = rng.choice(topics)
        text = " ".join(_take(own[topic], DOCUMENT_SYLLABLES, rng))
        queries.append(Query("negative", "plain", 0.0, text))
    return queries


# The run -------------------------------------------------------------------------


def _grams(text: str) -> set[int]:
    return set(kgram_hashes(folded_tokens(text), 5).tolist())


def run(per_cell: int, seed: int, limits: RetrievalLimits) -> dict:
    rng = random.Random(seed)
    started = time.monotonic()
    topics = realtext.load_topics(min_messages=8)
    web_messages: dict[str, list[str]] = {}
    own: dict[str, list[str]] = {}
    archive_messages: dict[str, list[str]] = {}
    for topic, messages in topics.items():
        cut = int(len(messages) * 0.75)
        web_messages[topic] = messages[:cut]
        rest = messages[cut:]
        archive_messages[topic] = rest[: len(rest) // 2]
        own[topic] = rest[len(rest) // 2 :]
    pages = build_pages(web_messages, rng)
    internet = LocalInternet(pages)
    print(f"{len(pages)} pages on {internet.base}", file=sys.stderr)

    engine = Engine(MemoryStore(), EngineConfig())
    archive = []
    for topic, messages in archive_messages.items():
        for number in range(0, len(messages), 12):
            text = " ".join(messages[number : number + 12])
            archive.append(Source(f"initiative:{topic}:{number}", "initiative", topic, text))
    engine.rebuild(archive)
    queries = build_queries(pages, own, per_cell, rng)
    print(f"{len(archive)} archive initiatives, {len(queries)} checks", file=sys.stderr)

    provider = SearxngProvider(internet.base)
    fetcher = Fetcher(
        guard=AddressGuard(parse_allowed_networks("127.0.0.0/8")),
        limits=FetchLimits(),
    )
    page_of_url = {internet.url(p.id): p for p in pages}

    archive_latency = [_timed(lambda q=q: engine.check(q.text))[1] for q in queries]

    records = []
    for number, query in enumerate(queries):
        added: list[str] = []

        def on_page(page, added=added):
            source_id = f"web:{len(added)}:{page.url}"
            engine.add(Source(source_id, "web", page.url, page.text))
            added.append(source_id)

        begin = time.perf_counter()
        retrieval = retrieve(
            query.text,
            provider=provider,
            fetch=fetcher.fetch,
            on_page=on_page,
            document_frequencies=engine._term_frequencies,
            limits=limits,
        )
        result = engine.check(query.text, kinds=WEB_KINDS)
        seconds = time.perf_counter() - begin
        flagged_pages = [m.ref for m in result.matches if m.flagged and m.kind == "web"]
        flagged_grams = [_grams(page_of_url[url].text) for url in flagged_pages]
        piece_grams = [_grams(p) for p in query.pieces]
        # Found: the flagged pages hold at least half of the planted piece (a piece
        # may be spread over overlapping pages, as over mirrors).
        flagged_union = set().union(*flagged_grams) if flagged_grams else set()
        found = [bool(g) and len(g & flagged_union) >= 0.5 * len(g) for g in piece_grams]
        downloaded_union = set().union(*(_grams(p.text) for p in retrieval.downloaded))
        downloaded = [bool(g) and len(g & downloaded_union) >= 0.5 * len(g) for g in piece_grams]
        true_pages = sum(1 for f in flagged_grams if any(len(g & f) >= 3 for g in piece_grams))
        records.append(
            {
                "kind": query.kind,
                "disguise": query.disguise,
                "fraction": query.fraction,
                "sources": len(query.pieces),
                "found": sum(found),
                "downloaded": sum(downloaded),
                "flagged": result.flagged,
                "flagged_pages": len(flagged_pages),
                "true_flagged_pages": true_pages,
                "queries": len(retrieval.queries),
                "downloads": retrieval.downloads,
                "seconds": seconds,
            }
        )
        for source_id in added:  # a cold cache for the next initiative
            engine.remove(source_id)
        if number % 50 == 0:
            print(f"  {number}/{len(queries)}", file=sys.stderr)

    # The plain archive check of the same copies: their source pages are archive
    # initiatives, no other page indexed (no mirrors).
    plain = Engine(MemoryStore(), EngineConfig())
    used = sorted({page_id for q in queries for page_id in q.source_pages})
    plain.rebuild(
        archive
        + [Source(f"initiative:page:{i}", "initiative", str(i), pages[i].text) for i in used]
    )
    archive_latency_plain = [_timed(lambda q=q: plain.check(q.text))[1] for q in queries]
    # The archive check with every page in the index (a warm web cache).
    for page in pages:
        engine.add(Source(f"web:{page.id}", "web", internet.url(page.id), page.text))
    archive_latency_warm = [_timed(lambda q=q: engine.check(q.text))[1] for q in queries]
    fetcher.close()
    return summarise(
        records,
        pages=len(pages),
        archive=len(archive),
        archive_latency=archive_latency,
        archive_latency_warm=archive_latency_warm,
        archive_latency_plain=archive_latency_plain,
        limits=limits,
        wall=time.monotonic() - started,
    )


def _timed(call):
    """The call's value and the CPU time it took (the machine is shared: wall-clock time
    would measure the other processes too)."""
    begin = time.process_time()
    value = call()
    return value, time.process_time() - begin


def summarise(records: list[dict], **context) -> dict:
    copies = [r for r in records if r["kind"] == "copy"]
    negatives = [r for r in records if r["kind"] == "negative"]
    by_fraction = {}
    for fraction in FRACTIONS:
        rows = [r for r in copies if r["fraction"] == fraction]
        by_fraction[f"{fraction:.0%}"] = {
            "initiatives": len(rows),
            "sources_downloaded": round(
                sum(r["downloaded"] for r in rows) / sum(r["sources"] for r in rows), 3
            ),
            "source_recall": round(
                sum(r["found"] for r in rows) / sum(r["sources"] for r in rows), 3
            ),
            "flagged": round(sum(r["flagged"] for r in rows) / len(rows), 3),
        }
    by_disguise = {}
    for kind in realtext.DISGUISES:
        rows = [r for r in copies if r["disguise"] == kind and r["fraction"] >= 0.10]
        by_disguise[kind] = round(
            sum(r["found"] for r in rows) / max(1, sum(r["sources"] for r in rows)), 3
        )
    at_least_10 = [r for r in copies if r["fraction"] >= 0.10]
    flagged_pages = sum(r["flagged_pages"] for r in records)
    limits = context.pop("limits")
    return {
        "corpus": {"pages": context["pages"], "archive_initiatives": context["archive"]},
        "limits": {
            "max_queries": limits.max_queries,
            "max_downloads": limits.max_downloads,
            "results_per_query": limits.results_per_query,
            "max_per_host": limits.max_per_host,
        },
        "checks": len(records),
        "source_recall_by_copied_fraction": by_fraction,
        "source_recall_10pct_plus_by_disguise": by_disguise,
        "source_recall_10pct_plus": round(
            sum(r["found"] for r in at_least_10) / sum(r["sources"] for r in at_least_10), 3
        ),
        "precision_of_flagged_pages": round(
            sum(r["true_flagged_pages"] for r in records) / max(1, flagged_pages), 3
        ),
        "negatives": len(negatives),
        "negatives_flagged": sum(r["flagged"] for r in negatives),
        "queries_per_initiative": {
            "mean": round(statistics.mean(r["queries"] for r in records), 2),
            "max": max(r["queries"] for r in records),
        },
        "downloads_per_initiative": {
            "mean": round(statistics.mean(r["downloads"] for r in records), 2),
            "max": max(r["downloads"] for r in records),
        },
        "web_check_time": realtext.latency_ms([r["seconds"] for r in records]),
        # CPU time of the archive check (every kind, as at submission) before any page
        # is indexed, with each copy's source pages indexed as archive initiatives (the
        # plain archive check of a copy), and with all 2,000+ pages indexed: for the
        # negatives (nothing to align) and for the copies.
        "archive_check_cpu_time": {
            kind: {
                "without_pages": realtext.latency_ms(
                    [
                        t
                        for t, r in zip(context["archive_latency"], records, strict=True)
                        if r["kind"] == kind
                    ]
                ),
                "sources_as_archive_initiatives": realtext.latency_ms(
                    [
                        t
                        for t, r in zip(context["archive_latency_plain"], records, strict=True)
                        if r["kind"] == kind
                    ]
                ),
                "with_all_pages_indexed": realtext.latency_ms(
                    [
                        t
                        for t, r in zip(context["archive_latency_warm"], records, strict=True)
                        if r["kind"] == kind
                    ]
                ),
            }
            for kind in ("negative", "copy")
        },
        "wall_seconds": round(context["wall"], 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--per-cell", type=int, default=6, help="initiatives per (disguise, fraction)"
    )
    parser.add_argument("--seed", type=int, default=10)
    parser.add_argument("--max-queries", type=int, default=10)
    parser.add_argument("--max-downloads", type=int, default=15)
    parser.add_argument("--results-per-query", type=int, default=10)
    parser.add_argument(
        "--max-per-host",
        type=int,
        default=15,
        help="every page here is on 127.0.0.1, one host: the per-host limit (4 in"
        " production) would cap downloads, so it is lifted to the download budget",
    )
    parser.add_argument("--json", type=Path)
    options = parser.parse_args(argv)
    limits = RetrievalLimits(
        max_queries=options.max_queries,
        max_downloads=options.max_downloads,
        results_per_query=options.results_per_query,
        max_per_host=options.max_per_host,
    )
    report = run(options.per_cell, options.seed, limits)
    text = json.dumps(report, indent=2, ensure_ascii=False)
    print(text)
    if options.json:
        options.json.parent.mkdir(parents=True, exist_ok=True)
        options.json.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
