"""Per-person figures the header shows on every page, cached (issue 16).

The unread-notice badge is a COUNT on every signed-in page. It changes only when a
notice is written to or read by that person, so it is kept in the cache per person
and forgotten by `notices_changed`, which every writer of notices calls. A count
cached by a request that read it just before a write committed lives at most
`NAV_COUNT_SECONDS`. Without the cache (Redis down) it is counted as before.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

UNREAD_NOTICES_KEY = "nav:unread-notices:{}"


def _seconds() -> int:
    return getattr(settings, "NAV_COUNT_SECONDS", 60)


def unread_notice_count(user) -> int:
    from core.models import Notice

    key = UNREAD_NOTICES_KEY.format(user.pk)
    count = cache.get(key)
    if count is None:
        count = Notice.objects.filter(recipient=user, read_at__isnull=True).count()
        cache.set(key, count, _seconds())
    return count


def notices_changed(recipient_ids: Iterable[int]) -> None:
    """Notices of these people were written or read: count their badges anew.

    Called inside the writer's transaction. The counts are forgotten now, and again
    once it commits: a request that counted in between, from the not yet committed
    state, must not keep its count either."""
    keys = [UNREAD_NOTICES_KEY.format(pk) for pk in set(recipient_ids)]
    if keys:
        cache.delete_many(keys)
        transaction.on_commit(lambda: cache.delete_many(keys))
