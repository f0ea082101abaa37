"""Celery tasks of the initiatives app. They take ids, load, and call a service."""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import tempfile
from pathlib import Path

from celery import shared_task
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.tenancy import OFFICER_ROLES, scope_for
from core.jobs import JobInputError, JobRun, job_run
from initiatives import attachments as attachment_rules
from initiatives import extraction, services
from initiatives.importing import ImportFileError, RowSource, import_initiatives
from initiatives.models import Attachment

logger = logging.getLogger(__name__)

IMPORT_JOB_KIND = "initiative_import"
MSG_UPLOAD_MISSING = gettext_noop("Không còn tệp đã tải lên; hãy tải tệp lên lại.")


@shared_task(acks_late=True, soft_time_limit=3 * 3600, time_limit=3 * 3600 + 300)
def run_initiative_import(job_id: int) -> dict | None:
    """Import the job's file as its owner (core/jobs.py: claim, progress, recovery).

    In valid-rows mode every chunk of IMPORT_CHECKPOINT_ROWS rows commits with its
    checkpoint, and a run taking over from a killed worker goes on after the last one;
    an all-or-nothing import is one transaction, so a killed run leaves nothing and the
    next one starts again from the first row.
    """

    def work(run: JobRun) -> dict:
        job = run.job
        try:
            with job.input_file.open("rb") as handle:
                source = RowSource(handle, job.options.get("name") or job.input_file.name)
                run.set_total(source.count())
                report = import_initiatives(
                    source=source,
                    actor=job.owner,
                    scope=scope_for(job.owner, OFFICER_ROLES),
                    all_or_nothing=job.options.get("all_or_nothing", True),
                    chunk_size=settings.IMPORT_CHECKPOINT_ROWS,
                    on_progress=run.progress,
                    on_checkpoint=run.checkpoint,
                    resume=run.resume,
                )
        except ImportFileError as exc:
            raise JobInputError(str(exc)) from exc
        except FileNotFoundError as exc:
            raise JobInputError(_(MSG_UPLOAD_MISSING)) from exc
        return report.as_dict()

    return job_run(job_id, work)


# The child process is killed after ATTACHMENT_TEXT_LIMITS["wall_seconds"]; the task's own
# limits are a backstop above that.
@shared_task(acks_late=True, soft_time_limit=300, time_limit=360)
def extract_attachment_text(attachment_id: int) -> str:
    """Extract one attachment's text in a limited child process; never a stuck worker."""
    attachment = Attachment.objects.filter(
        pk=attachment_id, text_status=Attachment.TextStatus.PENDING
    ).first()
    if attachment is None:
        return "skipped"
    limits = attachment_rules.extraction_limits()
    try:
        path = Path(attachment.file.path)
        outcome = extraction.extract_in_child(path, attachment.extension, limits)
    except NotImplementedError:  # a storage without local paths: work on a copy
        with attachment.file.open("rb") as stored, tempfile.NamedTemporaryFile() as copy:
            shutil.copyfileobj(stored, copy)
            copy.flush()
            outcome = extraction.extract_in_child(Path(copy.name), attachment.extension, limits)
    except FileNotFoundError:
        outcome = extraction.Outcome(extraction.NOT_EXTRACTED, problem=extraction.UNREADABLE)
    status = outcome.status
    if (
        status == extraction.DONE
        and attachment.extension in extraction.OCR_IMAGES
        and not outcome.text.strip()
    ):
        status = Attachment.TextStatus.NONE  # a photo with no words (or no OCR here)
    services.attachment_record_text(
        attachment_id=attachment.pk,
        status=status,
        text=outcome.text,
        problem=outcome.problem,
        ocr_spans=[list(span) for span in outcome.ocr_spans],
    )
    return status


SWEEP_TEXT_AFTER_MINUTES = 10


@shared_task(acks_late=True, soft_time_limit=120, time_limit=180)
def sweep_pending_attachment_text() -> int:
    """Re-enqueue extractions still pending after a while (broker down, worker lost)."""
    older_than = timezone.now() - dt.timedelta(minutes=SWEEP_TEXT_AFTER_MINUTES)
    pending = list(
        Attachment.objects.filter(
            text_status=Attachment.TextStatus.PENDING, created_at__lt=older_than
        ).values_list("pk", flat=True)[:1000]
    )
    for attachment_id in pending:
        extract_attachment_text.delay(attachment_id)
    return len(pending)


ORPHAN_AFTER = dt.timedelta(hours=1)


@shared_task(acks_late=True, soft_time_limit=600, time_limit=660)
def sweep_orphan_files() -> int:
    """Delete what a worker killed mid-upload left behind: attachment files no row refers
    to, and spooled upload files, once they are an hour old; and files kept from a form
    with errors (`initiatives.kept_uploads`) once their token has expired."""
    from django.conf import settings
    from django.core.files.storage import default_storage

    from initiatives.kept_uploads import FOLDER, KEPT_UPLOAD_MAX_AGE

    cutoff = timezone.now() - ORPHAN_AFTER
    removed = 0
    known = set(Attachment.objects.values_list("file", flat=True))
    try:
        folders, _files = default_storage.listdir("attachments")
    except FileNotFoundError:
        folders = []
    for folder in folders:
        _sub, names = default_storage.listdir(f"attachments/{folder}")
        for name in names:
            path = f"attachments/{folder}/{name}"
            if path not in known and default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
                removed += 1
    kept_cutoff = timezone.now() - KEPT_UPLOAD_MAX_AGE
    try:
        people, _files = default_storage.listdir(FOLDER)
    except FileNotFoundError:
        people = []
    for person in people:
        _sub, names = default_storage.listdir(f"{FOLDER}/{person}")
        for name in names:
            path = f"{FOLDER}/{person}/{name}"
            if default_storage.get_modified_time(path) < kept_cutoff:
                default_storage.delete(path)
                removed += 1
    spool = Path(settings.FILE_UPLOAD_TEMP_DIR)
    for leftover in spool.glob("*.upload*") if spool.is_dir() else []:
        modified = dt.datetime.fromtimestamp(leftover.stat().st_mtime, tz=dt.UTC)
        if modified < cutoff:
            leftover.unlink(missing_ok=True)
            removed += 1
    return removed
