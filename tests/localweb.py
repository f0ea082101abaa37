"""A small Internet on 127.0.0.1 for the web-check tests: pages and a SearXNG-compatible
search API (``GET /search?q=…&format=json``) and a Google Programmable Search one
(``GET /customsearch/v1?key=…&cx=…&q=…``), served by http.server in a thread.

Real HTTP: the portal's client talks to it over TCP exactly as to the Internet.
The search ranks the pages holding the most of the query's syllables (accents
folded), as a web search engine would put the page a phrase comes from first.
"""

from __future__ import annotations

import html
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from core.text import folded_tokens


@dataclass
class Page:
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    text: str = ""  # what the search indexes
    title: str = ""
    # Endless or huge bodies: this many chunks of ``body`` are sent.
    repeat: int = 1


def article(title: str, paragraphs: list[str]) -> bytes:
    """An HTML page with menus and a footer around the article, as real pages have."""
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return (
        "<!doctype html><html lang='vi'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title></head><body>"
        "<nav><a href='/'>Trang chủ</a> <a href='/tin-tuc'>Tin tức</a> "
        "<a href='/lien-he'>Liên hệ</a></nav>"
        f"<article><h1>{html.escape(title)}</h1>{body}</article>"
        "<footer>Bản quyền thuộc về trang tin. Ghi rõ nguồn khi phát hành lại.</footer>"
        "</body></html>"
    ).encode()


class LocalWeb:
    def __init__(self) -> None:
        self.pages: dict[str, Page] = {}
        self.search_delay = 0.0
        self.search_status = 200
        self.searches: list[str] = []
        self.downloads: list[str] = []
        self.server: ThreadingHTTPServer | None = None

    @property
    def base(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base + path

    def add_article(self, path: str, title: str, paragraphs: list[str]) -> str:
        self.pages[path] = Page(article(title, paragraphs), text=" ".join(paragraphs), title=title)
        return self.url(path)

    def add(self, path: str, page: Page) -> str:
        self.pages[path] = page
        return self.url(path)

    def redirect(self, path: str, location: str, status: int = 302) -> str:
        self.pages[path] = Page(b"", status=status, headers={"Location": location})
        return self.url(path)

    def search(self, query: str, count: int = 10) -> list[dict]:
        wanted = set(folded_tokens(query))
        scored = []
        for path, page in self.pages.items():
            if not page.text:
                continue
            held = wanted & set(folded_tokens(page.text))
            if len(held) >= max(2, len(wanted) // 2):
                scored.append((len(held), path, page))
        scored.sort(key=lambda item: (-item[0], item[1]))
        return [
            {"url": self.url(path), "title": page.title, "content": page.text[:200]}
            for _score, path, page in scored[:count]
        ]


def _handler(web: LocalWeb):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:  # quiet test output
            pass

        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            parts = urlsplit(self.path)
            if parts.path == "/search":
                self._search(parse_qs(parts.query))
                return
            if parts.path == "/customsearch/v1":
                self._google(parse_qs(parts.query))
                return
            page = web.pages.get(parts.path)
            if page is None:
                self._send(404, b"not found", "text/plain")
                return
            web.downloads.append(parts.path)
            self.send_response(page.status)
            for name, value in page.headers.items():
                self.send_header(name, value)
            if page.status in (301, 302, 303, 307, 308):
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_header("Content-Type", page.content_type)
            self.send_header("Content-Length", str(len(page.body) * page.repeat))
            self.end_headers()
            try:
                for _ in range(page.repeat):
                    self.wfile.write(page.body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client cut the body off, as it should

        def _search(self, params: dict) -> None:
            query = (params.get("q") or [""])[0]
            web.searches.append(query)
            if web.search_delay:
                time.sleep(web.search_delay)
            if web.search_status != 200:
                self._send(web.search_status, b"{}", "application/json")
                return
            answer = {"query": query, "results": web.search(query)}
            self._send(200, json.dumps(answer).encode(), "application/json")

        def _google(self, params: dict) -> None:
            """Google Programmable Search's JSON API: key and engine id required."""
            if not params.get("key") or not params.get("cx"):
                self._send(400, b'{"error": {"code": 400}}', "application/json")
                return
            query = (params.get("q") or [""])[0]
            web.searches.append(query)
            items = [
                {"link": r["url"], "title": r["title"], "snippet": r["content"]}
                for r in web.search(query)
            ]
            self._send(200, json.dumps({"items": items}).encode(), "application/json")

        def _send(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            with suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)

    return Handler


@contextmanager
def local_web(host: str = "127.0.0.1") -> Iterator[LocalWeb]:
    web = LocalWeb()
    server = ThreadingHTTPServer((host, 0), _handler(web))
    server.daemon_threads = True
    web.server = server
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield web
    finally:
        server.shutdown()
        server.server_close()
