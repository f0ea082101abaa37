"""What `/healthz` checks (django-health-check): the database, the cache, the broker
with a worker answering on every queue, and that no migration is waiting.

Kept cheap for compose's probe every few seconds: one SELECT 1, one cache round trip,
one ping that returns on the first worker's answer; the migration plan is read from
disk until it is empty once, then never again in that process.
"""

from __future__ import annotations

import dataclasses
import datetime

from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from health_check.base import HealthCheck
from health_check.checks import Cache, Database
from health_check.contrib.celery import Ping
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView

_migrated = False


@dataclasses.dataclass
class MigrationsApplied(HealthCheck):
    """Fails while `manage.py migrate` has not run for the code this process runs."""

    def run(self) -> None:
        global _migrated
        if _migrated:
            return
        try:
            executor = MigrationExecutor(connection)
            plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        finally:
            connection.close()  # a thread of the check's pool: leave no connection open
        if plan:
            raise ServiceUnavailable(f"{len(plan)} migration(s) not applied")
        _migrated = True


def health_checks() -> list:
    checks = [Database(), Cache(), MigrationsApplied()]
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        # A worker must answer, and together the workers must consume every queue.
        from config.celery import app

        checks.append(Ping(app=app, timeout=datetime.timedelta(seconds=2), limit=1))
    return checks


class PortalHealthCheckView(HealthCheckView):
    """`/healthz`: 200 when every check passes, 500 otherwise (JSON with ?format=json)."""

    def get_checks(self):
        yield from health_checks()
