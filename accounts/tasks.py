"""Celery tasks of accounts: the member import, and the unit import (it runs within the
owner's scope today, which only the tenancy gate knows)."""

from __future__ import annotations

from celery import shared_task

from accounts.tenancy import UNIT_ADMIN_ROLES, scope_for
from core import jobs
from core.jobs import JobInputError, JobRun, job_run
from core.tabular import TableError
from federation import services

MEMBER_IMPORT_JOB_KIND = "member_import"


@shared_task(acks_late=True, soft_time_limit=3600, time_limit=3900)
def run_member_import(job_id: int) -> dict | None:
    """Import the job's member list as its owner. Each row commits with its checkpoint:
    a run taking over from a killed worker goes on after the last row written."""
    from accounts import membership
    from federation.models import OrgUnit

    def work(run: jobs.JobRun) -> dict:
        job = run.job
        try:
            with job.input_file.open("rb") as handle:
                rows = list(membership.member_table(handle, job.options.get("name", "")))
        except (TableError, FileNotFoundError) as exc:
            raise jobs.JobInputError(str(exc)) from exc
        run.set_total(len(rows))
        report = membership.members_import(
            viewer=job.owner,
            rows=rows,
            default_unit=OrgUnit.objects.get(pk=job.options["default_unit_id"]),
            on_progress=run.progress,
            on_checkpoint=run.checkpoint,
            resume=run.resume,
        )
        return report.as_dict()

    return jobs.job_run(job_id, work)


UNIT_IMPORT_JOB_KIND = "unit_import"


@shared_task(acks_late=True, soft_time_limit=3600, time_limit=3900)
def run_unit_import(job_id: int) -> dict | None:
    """Import the job's table of units as its owner, within the owner's scope today.
    One transaction: a run taking over from a killed worker starts from the first row."""

    def work(run: JobRun) -> dict:
        job = run.job
        try:
            with job.input_file.open("rb") as handle:
                rows = list(services.unit_table(handle, job.options.get("name", "")))
        except (TableError, FileNotFoundError) as exc:
            raise JobInputError(str(exc)) from exc
        run.set_total(len(rows))
        report = services.units_import(
            rows=rows,
            scope=scope_for(job.owner, UNIT_ADMIN_ROLES),
            actor=job.owner,
            all_or_nothing=job.options.get("all_or_nothing", True),
            on_progress=run.progress,
        )
        return report.as_dict()

    return job_run(job_id, work)
