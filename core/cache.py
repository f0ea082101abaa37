"""A Redis cache that degrades instead of failing when Redis is down.

The cache only ever holds what can be recomputed (review statistics, rate-limit
counters), so a page must not answer 500 because Redis is unreachable: reads miss,
writes are skipped, and one warning per failure is logged. Short socket timeouts keep
a dead Redis from holding a request for long.
"""

from __future__ import annotations

import functools
import logging

from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)


def _degrading(default=None, *, default_arg: str | None = None):
    def wrap(method):
        @functools.wraps(method)
        def safe(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except Exception as exc:  # noqa: BLE001 - redis-py raises many connection errors
                if not _is_connection_error(exc):
                    raise
                logger.warning("cache unavailable (%s): %s skipped", exc, method.__name__)
                if default_arg is None:
                    return default
                fallback = kwargs.get(default_arg, args[1] if len(args) > 1 else default)
                return fallback() if callable(fallback) else fallback

        return safe

    return wrap


def _is_connection_error(exc: Exception) -> bool:
    import redis

    return isinstance(
        exc, redis.exceptions.ConnectionError | redis.exceptions.TimeoutError | OSError
    )


class DegradingRedisCache(RedisCache):
    get = _degrading(default_arg="default")(RedisCache.get)
    get_many = _degrading(default={})(RedisCache.get_many)
    has_key = _degrading(default=False)(RedisCache.has_key)
    add = _degrading(default=False)(RedisCache.add)
    set = _degrading(default=None)(RedisCache.set)
    set_many = _degrading(default=[])(RedisCache.set_many)
    touch = _degrading(default=False)(RedisCache.touch)
    delete = _degrading(default=False)(RedisCache.delete)
    delete_many = _degrading(default=None)(RedisCache.delete_many)
    clear = _degrading(default=None)(RedisCache.clear)
    get_or_set = _degrading(default_arg="default")(RedisCache.get_or_set)
    # incr/decr keep raising: a counter that cannot count must say so (accounts.signin).
