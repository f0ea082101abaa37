"""Celery tasks for rankings: weekly snapshot, weekly reports, reminders, the nightly
reconciliation of the counters. They take ids."""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from django.db import DatabaseError, InterfaceError, OperationalError
from django.utils import timezone

from federation.models import OrgUnit
from rankings import periods, services

logger = logging.getLogger(__name__)

RETRY = {
    "autoretry_for": (OperationalError, InterfaceError, DatabaseError, ConnectionError),
    "retry_backoff": 10,
    "retry_jitter": True,
    "max_retries": 5,
}


def _last_week(day: str | None) -> dt.date:
    if day:
        return periods.week_start(dt.date.fromisoformat(day))
    return periods.week_start(timezone.localdate()) - dt.timedelta(days=7)


@shared_task(acks_late=True, **RETRY)
def snapshot_weekly_rankings(week: str | None = None) -> int:
    """Monday morning: freeze the week just ended (or `week`) for "rank change since last week"."""
    return services.ranking_snapshot_take(week=_last_week(week))


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300, **RETRY)
def generate_weekly_report(unit_id: int, week: str, email: bool = True) -> int | None:
    unit = OrgUnit.objects.filter(pk=unit_id).first()
    if unit is None:
        return None
    report = services.weekly_report_generate(
        unit=unit, week=dt.date.fromisoformat(week), email=email
    )
    return report.pk


REPORT_JOB_KIND = "weekly_report"


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def run_weekly_report_job(job_id: int) -> dict:
    """A report asked for from the reports page: made here, not in the request, with the
    Job's progress kept for the page, and emailed to the unit's leadership if asked."""
    from core.models import Job

    job = Job.objects.select_related("unit").filter(pk=job_id).first()
    if job is None or job.state in (Job.State.DONE, Job.State.FAILED):
        return {} if job is None else job.result
    jobs = Job.objects.filter(pk=job_id)
    jobs.update(state=Job.State.RUNNING, total=services.REPORT_STEPS, done=0)
    try:
        report = services.weekly_report_generate(
            unit=job.unit,
            week=dt.date.fromisoformat(job.options["week"]),
            email=bool(job.options.get("email")),
            on_progress=lambda step: jobs.update(done=step),
        )
    except Exception:
        logger.exception("weekly report job %s failed", job_id)
        jobs.update(state=Job.State.FAILED, finished_at=timezone.now())
        raise
    result = {"report": report.pk, "emailed": report.emailed_at is not None}
    jobs.update(
        state=Job.State.DONE,
        done=services.REPORT_STEPS,
        result=result,
        finished_at=timezone.now(),
    )
    return result


@shared_task(acks_late=True, **RETRY)
def generate_weekly_reports(week: str | None = None) -> int:
    """Monday morning, after the snapshot: one task per unit directly under the confederation."""
    monday = _last_week(week)
    units = list(services.report_units().values_list("pk", flat=True))
    for unit_id in units:
        generate_weekly_report.delay(unit_id, monday.isoformat())
    return len(units)


@shared_task(acks_late=True, soft_time_limit=3300, time_limit=3600, **RETRY)
def reconcile_counters() -> dict:
    """Nightly: recount the ranking counters from the initiatives, repair and report drift."""
    result = services.tally_reconcile(notify=True)
    return {"reattributed": result.reattributed, "drift": result.drift}


@shared_task(acks_late=True, **RETRY)
def send_lagging_reminders() -> int:
    return services.reminders_send(today=timezone.localdate())


TARGET_IMPORT_JOB_KIND = "target_import"


@shared_task(acks_late=True, soft_time_limit=1800, time_limit=1900)
def run_target_import(job_id: int) -> dict | None:
    """Import the job's table of targets as its owner: all rows, or none."""
    from accounts.tenancy import scope_for
    from core.jobs import JobInputError, job_run
    from core.tabular import TableError
    from rankings.selectors import TARGET_ROLES

    def work(run) -> dict:
        job = run.job
        try:
            with job.input_file.open("rb") as handle:
                rows = list(services.target_table(handle, job.options.get("name", "")))
        except (TableError, FileNotFoundError) as exc:
            raise JobInputError(str(exc)) from exc
        run.set_total(len(rows))
        report = services.targets_import(
            scope=scope_for(job.owner, TARGET_ROLES),
            actor=job.owner,
            rows=rows,
            on_progress=run.progress,
        )
        return report.as_dict()

    return job_run(job_id, work)
