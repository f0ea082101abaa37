"""Sessions read from Redis, kept in PostgreSQL (issue 16).

Every signed-in request reads its session; with the database engine that is a query
on every page. Django's `cached_db` engine reads it from the cache and writes both,
so the database still holds every session (the account page lists and ends them,
and a Redis restart signs nobody out).

One difference from `cached_db`: a session stays in the cache at most
`SESSION_CACHE_SECONDS`, not for the session's whole life. Ending a session deletes
it from both; if Redis is unreachable at that moment (the cache degrades silently,
core/cache.py), the cached copy would otherwise come back with Redis for as long as
the session had left, two weeks. With the cap, such a copy lives at most that long
after it was last written, and while Redis is down sessions are read from the database.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore

logger = logging.getLogger("django.contrib.sessions")

KEY_PREFIX = "core.sessions."


def cache_seconds() -> int:
    return getattr(settings, "SESSION_CACHE_SECONDS", 300)


class SessionStore(CachedDBStore):
    cache_key_prefix = KEY_PREFIX

    def get_cache_age(self, **kwargs) -> int:
        return min(self.get_expiry_age(**kwargs), cache_seconds())

    def load(self):
        try:
            data = self._cache.get(self.cache_key)
        except Exception:  # noqa: BLE001 - as Django's: an unusable key resets the session
            data = None
        if data is None:
            stored = self._get_session_from_db()
            if stored:
                data = self.decode(stored.session_data)
                self._cache.set(self.cache_key, data, self.get_cache_age(expiry=stored.expire_date))
            else:
                data = {}
        return data

    def save(self, must_create=False):
        # The database first (DBStore's save), then the cache, as Django's cached_db.
        super(CachedDBStore, self).save(must_create)
        try:
            self._cache.set(self.cache_key, self._session, self.get_cache_age())
        except Exception:  # noqa: BLE001 - the database holds it; the cache is a copy
            logger.exception("session not cached (%s)", self._cache)
