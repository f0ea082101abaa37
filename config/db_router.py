"""Send reads that may be a few seconds stale to a read replica.

The public library and the leaderboards are most of a deadline's anonymous
traffic and tolerate replication lag; everything a person has just written (a
draft, a decision) must be read back from the primary. So nothing goes to the
replica by model: a view opts in with `@reads_from_replica`, and only while it
runs, and only when `READ_REPLICA_ALIAS` names a configured database, do its
reads leave the primary. Writes, migrations and every other view stay on
"default".
"""

from __future__ import annotations

import functools
from contextvars import ContextVar

from django.conf import settings

_replica_allowed: ContextVar[bool] = ContextVar("replica_allowed", default=False)


def reads_from_replica(view):
    """Mark a read-only view whose queries may be served by the replica."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        token = _replica_allowed.set(True)
        try:
            return view(*args, **kwargs)
        finally:
            _replica_allowed.reset(token)

    return wrapped


# Who is signed in must never lag: a session written at login is read back at once.
PRIMARY_ONLY_APPS = frozenset({"sessions", "auth", "authtoken", "axes", "contenttypes"})


class ReadReplicaRouter:
    def db_for_read(self, model, **hints):
        alias = getattr(settings, "READ_REPLICA_ALIAS", None)
        if not (alias and _replica_allowed.get() and alias in settings.DATABASES):
            return "default"
        meta = model._meta
        if meta.app_label in PRIMARY_ONLY_APPS or meta.label == settings.AUTH_USER_MODEL:
            return "default"
        return alias

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the same rows as the primary.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
