"""A small fixed-window rate limiter on the cache (Redis in production)."""

from __future__ import annotations

import hashlib
import time

from django.core.cache import cache


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def hit(*, bucket: str, key: str, limit: int, window_seconds: int) -> bool:
    """Count one attempt; False once `limit` attempts were made in the current window."""
    window = int(time.time() // window_seconds)
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    cache_key = f"ratelimit:{bucket}:{window}:{digest}"
    cache.add(cache_key, 0, timeout=window_seconds + 5)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=window_seconds + 5)
        count = 1
    return count <= limit
