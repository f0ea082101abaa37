"""Celery tasks of accounts: the member import."""

from __future__ import annotations

from celery import shared_task

from core import jobs

MEMBER_IMPORT_JOB_KIND = "member_import"


@shared_task(acks_late=True, soft_time_limit=3600, time_limit=3900)
def run_member_import(job_id: int) -> dict | None:
    """Import the job's member list as its owner. Each row commits with its checkpoint:
    a run taking over from a killed worker goes on after the last row written."""
    from accounts import membership
    from core.tabular import TableError, read_table
    from federation.models import OrgUnit

    def work(run: jobs.JobRun) -> dict:
        job = run.job
        try:
            with job.input_file.open("rb") as handle:
                rows = read_table(handle, max_rows=membership.MEMBER_IMPORT_MAX_ROWS)
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
