"""Search providers behind one interface: ``search(query, count) -> [SearchHit]``.

- SearXNG's JSON API (self-hosted metasearch): ``GET {base}/search?q=…&format=json``
  answers ``{"results": [{"url", "title", "content"}, …]}`` (JSON must be enabled
  in its ``settings.yml``: ``search.formats: [html, json]``);
- Google's Programmable Search JSON API: ``GET …/customsearch/v1?key=…&cx=…&q=…``
  answers ``{"items": [{"link", "title", "snippet"}, …]}``.

The provider is the operator's own service (SearXNG often runs on a private
network), so it is not behind the address guard that protects page downloads.
A provider that times out or answers an error raises ``ProviderUnavailable``:
the web check is retried later, the archive verdict stands meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import httpx


class ProviderUnavailable(Exception):
    """The search provider did not answer usefully (timeout, error status, bad JSON)."""


@dataclass(frozen=True)
class SearchHit:
    url: str
    title: str = ""
    snippet: str = ""


class SearchProvider(Protocol):
    name: str

    def search(self, query: str, *, count: int) -> list[SearchHit]: ...


def _client(timeout: float) -> httpx.Client:
    return httpx.Client(timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)), trust_env=False)


def _get_json(client: httpx.Client, url: str, params: dict) -> dict:
    try:
        response = client.get(url, params=params, headers={"Accept": "application/json"})
    except httpx.HTTPError as exc:
        raise ProviderUnavailable(f"{type(exc).__name__} from {url}") from exc
    if response.status_code != 200:
        raise ProviderUnavailable(f"HTTP {response.status_code} from {url}")
    try:
        answer = response.json()
    except ValueError as exc:
        raise ProviderUnavailable(f"not JSON from {url}") from exc
    if not isinstance(answer, dict):
        raise ProviderUnavailable(f"unexpected JSON from {url}")
    return answer


class SearxngProvider:
    name = "searxng"

    def __init__(self, base_url: str, *, timeout: float = 10.0, language: str = "vi") -> None:
        self.endpoint = base_url.rstrip("/") + "/search"
        self.language = language
        self.client = _client(timeout)

    def search(self, query: str, *, count: int) -> list[SearchHit]:
        answer = _get_json(
            self.client,
            self.endpoint,
            {"q": query, "format": "json", "language": self.language, "safesearch": 0},
        )
        hits = [
            SearchHit(str(r.get("url", "")), str(r.get("title", "")), str(r.get("content", "")))
            for r in answer.get("results", [])
            if isinstance(r, dict) and r.get("url")
        ]
        return hits[:count]


class GoogleProvider:
    name = "google"

    def __init__(self, api_key: str, engine_id: str, *, endpoint: str, timeout: float = 10.0):
        self.api_key, self.engine_id, self.endpoint = api_key, engine_id, endpoint
        self.client = _client(timeout)

    def search(self, query: str, *, count: int) -> list[SearchHit]:
        answer = _get_json(
            self.client,
            self.endpoint,
            {"key": self.api_key, "cx": self.engine_id, "q": query, "num": min(10, count)},
        )
        hits = [
            SearchHit(str(i.get("link", "")), str(i.get("title", "")), str(i.get("snippet", "")))
            for i in answer.get("items", [])
            if isinstance(i, dict) and i.get("link")
        ]
        return hits[:count]


def make_provider(
    *,
    searxng_url: str = "",
    google_api_key: str = "",
    google_engine_id: str = "",
    google_endpoint: str = "https://www.googleapis.com/customsearch/v1",
    timeout: float = 10.0,
) -> SearchProvider | None:
    """The configured provider (SearXNG first), or None: the web check is off."""
    if searxng_url:
        return SearxngProvider(searxng_url, timeout=timeout)
    if google_api_key and google_engine_id:
        return GoogleProvider(google_api_key, google_engine_id, endpoint=google_endpoint)
    return None
