"""Celery tasks of the union tree. They take ids, load, and call a service."""

from __future__ import annotations

from celery import shared_task

from federation import services
from portal.jobs import JobInputError, JobRun, job_run
from portal.tabular import TableError
from portal.tenancy import UNIT_ADMIN_ROLES, scope_for

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
