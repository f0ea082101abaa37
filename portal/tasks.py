"""Celery finds tasks in `<app>.tasks`; the portal's live in its sub-packages."""

from portal.rankings.tasks import (  # noqa: F401
    generate_weekly_report,
    generate_weekly_reports,
    send_lagging_reminders,
    snapshot_weekly_rankings,
)
