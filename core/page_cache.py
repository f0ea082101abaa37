"""Public pages served from the cache, and the numbers leadership pages read (issue 16).

A deadline rush is mostly people looking: the public library and the leaderboard
for anyone, the dashboard for leadership. They change only when an initiative is
written (its counters, its public text), so they are cached under one version
that every counted write moves after its transaction commits
(`public_pages_changed`): a new figure shows on the next request, or, for the
anonymous pages, at most `PUBLIC_PAGE_STALE_SECONDS` later (in a rush the version
moves several times a second), and nothing stale outlives `PUBLIC_PAGE_CACHE_SECONDS`.

- `cached_public_page`: the whole HTML of an anonymous GET, per URL, language and
  htmx-ness, with ETag/Last-Modified so a browser revalidates for a 304. The
  page's CSRF token is swapped for a placeholder in the cache and for the
  visitor's own token on the way out, so the language switch keeps working.
- `cached_aggregate`: any picklable result (the dashboard's rankings, progress and
  series) under the same version, keyed by what it was computed from.

When the cache (Redis) is down, pages are rendered as if there were no cache.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

logger = logging.getLogger(__name__)

VERSION_KEY = "public-pages:version"
CSRF_PLACEHOLDER = "__CSRF_TOKEN_PLACEHOLDER__"
# Where a page carries its token: hidden form fields and htmx's request headers.
CSRF_IN_PAGE = re.compile(
    r'(name="csrfmiddlewaretoken" value="|"X-CSRFToken": ")([A-Za-z0-9]{32,64})"'
)


def _timeout() -> int:
    return getattr(settings, "PUBLIC_PAGE_CACHE_SECONDS", 300)


def _bump_version() -> None:
    try:
        cache.set(VERSION_KEY, time.time_ns(), None)
    except Exception:  # noqa: BLE001 - cache down: pages fall back to their timeout
        logger.warning("public page cache: version not moved (cache unavailable)")


def public_pages_changed() -> None:
    """Something public changed (counters, an initiative's public text): serve it fresh.

    Called inside the writer's transaction. The version moves now, so nothing cached
    before the write is served again, and once more when the transaction commits, so
    a page rendered meanwhile from the not yet committed state is not kept either.
    """
    _bump_version()
    transaction.on_commit(_bump_version)


def current_version() -> int | None:
    """The version of everything public, or None when the cache cannot be reached."""
    try:
        version = cache.get(VERSION_KEY)
        if version is None:
            cache.add(VERSION_KEY, time.time_ns(), None)
            version = cache.get(VERSION_KEY)
        return version
    except Exception:  # noqa: BLE001
        logger.warning("public page cache unavailable; rendering without it")
        return None


def _digest(*parts: object) -> str:
    return hashlib.sha256("|".join(str(part) for part in parts).encode()).hexdigest()[:32]


def cached_aggregate(name: str, key_parts: tuple, compute: Callable[[], Any]) -> Any:
    """`compute()` once per version of the public figures and `key_parts`."""
    version = current_version()
    if version is None:
        return compute()
    key = f"aggregate:{name}:{version}:{_digest(*key_parts)}"
    try:
        found = cache.get(key)
    except Exception:  # noqa: BLE001
        return compute()
    if found is not None:
        return found
    value = compute()
    try:
        cache.set(key, value, _timeout())
    except Exception:  # noqa: BLE001
        logger.warning("public page cache: %s not stored", name)
    return value


def _cacheable_request(request) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and not request.user.is_authenticated
        # A message waiting to be shown belongs to this visitor alone.
        and "messages" not in request.COOKIES
    )


def _stale_seconds() -> int:
    return getattr(settings, "PUBLIC_PAGE_STALE_SECONDS", 0)


def _usable(stored, version: int, *, may_lag: bool) -> bool:
    """The stored page is of the current version, or younger than the allowed lag.

    In a deadline rush the version moves with every submission, several times a
    second; without the lag no anonymous page would ever be served from the cache.
    """
    if not isinstance(stored, dict):
        return False
    if stored.get("version") == version:
        return True
    return may_lag and time.time() - stored.get("rendered_at", 0) < _stale_seconds()


def cached_public_page(view=None, *, may_lag: bool = True):
    """Serve an anonymous visitor's GET of a public page from the cache.

    With `may_lag` (lists and rankings), a page rendered before the last write is
    still served for `PUBLIC_PAGE_STALE_SECONDS` after it was rendered (then rendered
    again), so a new figure shows at most that long after it was written. Without it
    (one initiative's own page, which shows its full text until it is made
    confidential or withdrawn), every write renders the page anew.
    """
    if view is None:
        return functools.partial(cached_public_page, may_lag=may_lag)

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not _cacheable_request(request):
            return view(request, *args, **kwargs)
        key = page_key(request, translation.get_language())
        try:
            found = cache.get_many([VERSION_KEY, key])
        except Exception:  # noqa: BLE001
            logger.warning("public page cache unavailable; rendering without it")
            return view(request, *args, **kwargs)
        version = found.get(VERSION_KEY)
        if version is None:
            version = current_version()
            if version is None:
                return view(request, *args, **kwargs)
        stored = found.get(key)
        if not _usable(stored, version, may_lag=may_lag):
            response = view(request, *args, **kwargs)
            if (
                response.status_code != 200
                or response.streaming
                or not response.get("Content-Type", "").startswith("text/html")
            ):
                return response
            html = CSRF_IN_PAGE.sub(
                lambda m: f'{m.group(1)}{CSRF_PLACEHOLDER}"', response.content.decode()
            )
            stored = {
                "html": html,
                "content_type": response["Content-Type"],
                "version": version,
                "rendered_at": time.time(),
            }
            try:
                cache.set(key, stored, _timeout())
            except Exception:  # noqa: BLE001
                logger.warning("public page cache: page not stored")
        response = _serve(request, key, stored)
        # CachedPublicPageMiddleware keeps the headers the layers around the view add.
        response.public_page = (key, stored)
        return response

    wrapped.public_page_may_lag = may_lag  # read by CachedPublicPageMiddleware
    return wrapped


def page_key(request, language: str) -> str:
    htmx = request.headers.get("HX-Request") == "true"
    return f"page:{_digest(language, htmx, request.get_full_path())}"


def _serve(request, key: str, stored: dict, headers: dict | None = None) -> HttpResponse:
    """The stored page for this visitor: their CSRF token, or 304 if their copy is current."""
    # The ETag names what is served (the stored page's version) and the visitor's
    # CSRF cookie: a page kept by the browser carries a token only that cookie validates.
    served_version = stored["version"]
    etag = '"{}"'.format(
        _digest(key, served_version, request.COOKIES.get(settings.CSRF_COOKIE_NAME, ""))[:24]
    )
    last_modified = served_version // 1_000_000_000
    not_modified = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if not_modified is not None:
        return not_modified
    response = HttpResponse(
        stored["html"].replace(CSRF_PLACEHOLDER, get_token(request)),
        content_type=stored["content_type"],
    )
    for name, value in (headers or {}).items():
        response[name] = value
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    # Revalidate every time (a 304 costs no rendering); shared caches keep nothing,
    # since the page carries the visitor's CSRF token.
    response["Cache-Control"] = "private, no-cache"
    return response


# Headers that belong to one response, not to the page: recomputed on every serving.
_OWN_HEADERS = {"set-cookie", "etag", "last-modified", "content-length", "date", "cache-control"}


class CachedPublicPageMiddleware:
    """A cached public page served before the session, authentication and CSRF layers.

    Placed right after WhiteNoise. A GET from a visitor without a session cookie (so
    nobody is signed in) and without a pending message, for a view marked with
    `cached_public_page`, is answered from the cache as the view would answer it: the
    same lag rules, the visitor's own CSRF token (Django's CSRF middleware, called
    here, sets its cookie as usual), ETag/304, and the headers the layers in between
    added when the page was stored (Content-Language, Vary, CSP, X-Frame-Options).
    Anything else (a miss, a session cookie, a page stored without its headers) goes
    through the whole chain, and the view's decorator serves and stores it.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.csrf = CsrfViewMiddleware(get_response)
        self.languages = {code for code, _name in settings.LANGUAGES}

    def _page(self, request) -> tuple[str, bool] | None:
        if (
            request.method not in ("GET", "HEAD")
            or settings.SESSION_COOKIE_NAME in request.COOKIES
            or "messages" in request.COOKIES
        ):
            return None
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return None
        may_lag = getattr(match.func, "public_page_may_lag", None)
        if may_lag is None:
            return None
        # As PortalLanguageMiddleware decides it.
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.languages else settings.LANGUAGE_CODE
        return page_key(request, language), may_lag

    def __call__(self, request):
        page = self._page(request)
        if page is None:
            return self.get_response(request)
        key, may_lag = page
        try:
            found = cache.get_many([VERSION_KEY, key])
        except Exception:  # noqa: BLE001
            found = {}
        stored = found.get(key)
        version = found.get(VERSION_KEY)
        if (
            version is not None
            and _usable(stored, version, may_lag=may_lag)
            and "headers" in stored
        ):
            self.csrf.process_request(request)  # the visitor's CSRF cookie, if any
            response = _serve(request, key, stored, stored["headers"])
            return self.csrf.process_response(request, response)
        response = self.get_response(request)
        served = getattr(response, "public_page", None)
        if served and served[0] == key and response.status_code == 200:
            headers = {
                name: value for name, value in response.items() if name.lower() not in _OWN_HEADERS
            }
            try:
                cache.set(key, {**served[1], "headers": headers}, _timeout())
            except Exception:  # noqa: BLE001
                logger.warning("public page cache: headers not stored")
        return response
