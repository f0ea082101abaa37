"""Writing an initiative import: valid rows through the same services as the form, or
in bulk for large archives; all-or-nothing or chunk by chunk with checkpoints."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Iterator

from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.tabular import ImportReport
from initiatives import services
from initiatives.importing.reading import _COLUMN_OF, RowSource
from initiatives.importing.validating import (
    MSG_EXTERNAL_ID_REFUSED,
    MSG_ROW_NOT_WRITTEN,
    PlannedRow,
    _Validator,
)
from initiatives.models import Initiative, InitiativeAuthor, InitiativeEvent, Status
from initiatives.signals import initiatives_created

logger = logging.getLogger(__name__)

DEFAULT_CHUNK_SIZE = 500

# --- writing ------------------------------------------------------------------------


def _write_with_services(row: PlannedRow, *, actor, check: bool) -> tuple[Initiative, bool]:
    """One row through the same services as the form. Returns (initiative, created)."""
    existing = row.existing
    if existing is not None and not existing.is_editable:
        return _update_submitted(row, actor=actor, check=check), False
    initiative = services.initiative_save_draft(
        entered_by=actor, data=row.data, authors=row.authors, initiative=existing
    )
    if row.external_id and initiative.external_id != row.external_id:
        Initiative.objects.filter(pk=initiative.pk).update(external_id=row.external_id)
    initiative = services.initiative_submit(
        initiative=initiative, actor=actor, submitted_at=row.submitted_at
    )
    return initiative, existing is None


def _update_submitted(row: PlannedRow, *, actor, check: bool) -> Initiative:
    """Re-import of an initiative already handed in: the archive is the source of truth
    for its content. Its workflow state and decisions stay as they are; a changed text
    is checked again (a decided initiative keeps its decision, see initiative_record_check).
    """
    locked = Initiative.objects.select_for_update().get(pk=row.existing.pk)
    before = [getattr(locked, name) for name in services.TEXT_FIELDS]
    for name in services.EDITABLE_FIELDS:
        if name in row.data:
            setattr(locked, name, row.data[name])
    if row.submitted_at is not None:
        locked.submitted_at = row.submitted_at
    locked.search_text = services.search_text_for(
        locked, author_names=[a.full_name for a in row.authors]
    )
    locked.full_clean()
    locked.save()
    services._replace_authors(locked, row.authors)
    # A new unit, date, group, field or benefit moves its count (this path once left the
    # counters behind: 1,000 counted where 5,000 had been handed in).
    services.counted_write(locked)
    changed = before != [getattr(locked, name) for name in services.TEXT_FIELDS]
    if check and changed:
        pk = locked.pk
        transaction.on_commit(lambda: services.enqueue_similarity_check(pk))
    return locked


def _write_bulk(rows: list[PlannedRow], *, actor, check: bool) -> list[Initiative]:
    """Insert many NEW initiatives at once, in the state `initiative_submit` leaves them.

    Same validation as the services (done before), same result: status `checking`,
    `submitted_at`, `top_unit`, `search_text`, authors, the two workflow events
    (submit by the importer, start_check), one history row, and the check enqueued
    after commit (or left for the sweep when `check` is False). Call inside atomic().
    """
    now = timezone.now()
    # The top-level unit on the day of submission (the tree as it stood then).
    top_units: dict[tuple[int, dt.date], int | None] = {}
    initiatives = []
    for row in rows:
        unit = row.data["unit"]
        submitted_at = row.submitted_at or now
        key = (unit.pk, timezone.localdate(submitted_at))
        if key not in top_units:
            top_units[key] = services.top_unit_id_on(unit, submitted_at)
        initiative = Initiative(entered_by=actor, external_id=row.external_id or None)
        for name in services.EDITABLE_FIELDS:
            if name in row.data:
                setattr(initiative, name, row.data[name])
        initiative.status = Status.CHECKING
        initiative.submitted_at = submitted_at
        initiative.top_unit_id = top_units[key]
        initiative.search_text = services.search_text_for(
            initiative, author_names=[a.full_name for a in row.authors]
        )
        initiatives.append(initiative)
    Initiative.objects.bulk_create(initiatives)
    authors, events = [], []
    for initiative, row in zip(initiatives, rows, strict=True):
        authors.extend(services.author_rows(initiative, row.authors))
        events.append(
            InitiativeEvent(
                initiative=initiative,
                transition="submit",
                from_status=Status.DRAFT,
                to_status=Status.SUBMITTED,
                actor=actor,
            )
        )
        events.append(
            InitiativeEvent(
                initiative=initiative,
                transition="start_check",
                from_status=Status.SUBMITTED,
                to_status=Status.CHECKING,
            )
        )
    InitiativeAuthor.objects.bulk_create(authors)
    InitiativeEvent.objects.bulk_create(events)
    Initiative.history.bulk_history_create(initiatives, default_user=actor)
    if check:
        ids = [i.pk for i in initiatives]
        transaction.on_commit(lambda: [services.enqueue_similarity_check(pk) for pk in ids])
    return initiatives


def _update_bulk(
    rows: list[PlannedRow], *, actor, check: bool
) -> tuple[list[Initiative], list[Initiative], list[PlannedRow]]:
    """Re-import of many initiatives already handed in, as `_update_submitted` does one:
    content replaced, workflow state kept, changed text checked again. Rows identical to
    what is stored are left alone (no write, no history row): re-importing the same
    archive is cheap. Returns (updated, unchanged, rows left for the services: an
    initiative returned for revision meanwhile is resubmitted instead). Call inside atomic().
    """
    # FOR UPDATE: a reviewer may be deciding on one of these right now.
    locked = {
        i.pk: i
        for i in Initiative.objects.select_for_update()
        .filter(pk__in=[r.existing.pk for r in rows])
        .prefetch_related("authors")
    }
    now = timezone.now()
    updated, unchanged, left, to_check, authors = [], [], [], [], []
    fields = {"search_text", "updated_at"}
    for row in rows:
        initiative = locked.get(row.existing.pk)
        if initiative is None or initiative.is_editable:
            left.append(row)
            continue
        names = [n for n in services.EDITABLE_FIELDS if n in row.data]
        if row.submitted_at is not None:
            names.append("submitted_at")
        values = {**row.data, "submitted_at": row.submitted_at}
        before_text = [getattr(initiative, name) for name in services.TEXT_FIELDS]
        before = [_stored(initiative, name) for name in names]
        for name in names:
            setattr(initiative, name, values[name])
        new_authors = services.author_rows(initiative, row.authors)
        if before == [_stored(initiative, name) for name in names] and _same_authors(
            list(initiative.authors.all()), new_authors
        ):
            unchanged.append(initiative)
            continue
        fields.update(names)
        initiative.search_text = services.search_text_for(
            initiative, author_names=[a.full_name for a in row.authors]
        )
        initiative.updated_at = now
        if before_text != [getattr(initiative, name) for name in services.TEXT_FIELDS]:
            to_check.append(initiative.pk)
        authors.extend(new_authors)
        updated.append(initiative)
    if updated:
        # One plain UPDATE a row: bulk_update's CASE-per-column statements measured ~7 ms a
        # row on PostgreSQL, several times slower than this.
        columns = sorted(fields)
        for initiative in updated:
            Initiative.objects.filter(pk=initiative.pk).update(
                **{name: getattr(initiative, name) for name in columns}
            )
        InitiativeAuthor.objects.filter(initiative__in=updated).delete()
        InitiativeAuthor.objects.bulk_create(authors)
        Initiative.history.bulk_history_create(updated, update=True, default_user=actor)
        for initiative in updated:
            services.counted_write(initiative)  # rows locked above
    if check and to_check:
        transaction.on_commit(lambda: [services.enqueue_similarity_check(pk) for pk in to_check])
    return updated, unchanged, left


def _stored(initiative: Initiative, name: str):
    """A field's value as stored: the id for a foreign key."""
    return getattr(initiative, Initiative._meta.get_field(name).attname)


AUTHOR_COMPARED = (
    "full_name",
    "external_person_id",
    "date_of_birth",
    "workplace",
    "job_title",
    "qualification",
    "contribution_percent",
)


def _same_authors(old: list[InitiativeAuthor], new: list[InitiativeAuthor]) -> bool:
    def key(author: InitiativeAuthor) -> tuple:
        return tuple(getattr(author, name) for name in AUTHOR_COMPARED)

    return [key(a) for a in old] == [key(a) for a in new]


def _error_messages(exc: ValidationError) -> list[tuple[str, str]]:
    if hasattr(exc, "error_dict"):
        return [
            (_COLUMN_OF.get(name, "" if name == "__all__" else name), message)
            for name, messages in exc.message_dict.items()
            for message in messages
        ]
    return [("", message) for message in exc.messages]


class _RowFailed(Exception):
    def __init__(self, row: int, errors: list[tuple[str, str]]):
        super().__init__(row)
        self.row = row
        self.errors = errors


def _write_chunk(
    planned: list[PlannedRow],
    *,
    actor,
    report: ImportReport,
    check: bool,
    bulk: bool,
    strict: bool,
    on_row: Callable[[], None] | None = None,
) -> None:
    """Write valid rows. Call inside atomic(). With `strict` one failure raises _RowFailed.

    Whatever fails in a row (the services' rules, a unique id taken meanwhile, a value
    the database refuses) is that row's error: it never ends the import half-written.
    """
    new_rows = [r for r in planned if r.existing is None]
    if bulk and new_rows:
        try:
            with transaction.atomic():
                created = _write_bulk(new_rows, actor=actor, check=check)
                # Counted in the same transaction as the rows: a crash between the two
                # cannot leave them uncounted.
                initiatives_created.send(sender=Initiative, initiative_ids=[i.pk for i in created])
        except IntegrityError:
            # Someone else inserted one of these external ids meanwhile: go row by row.
            logger.warning("bulk insert of %d rows failed; retrying one by one", len(new_rows))
        else:
            report.created += len(created)
            for initiative in created:
                report.add_id(initiative.pk)
            planned = [r for r in planned if r.existing is not None]
    handed_in = [r for r in planned if r.existing is not None and not r.existing.is_editable]
    if bulk and handed_in:
        with transaction.atomic():
            updated, unchanged, left = _update_bulk(handed_in, actor=actor, check=check)
        report.updated += len(updated)
        report.unchanged += len(unchanged)
        done = {r.row for r in handed_in} - {r.row for r in left}
        planned = [r for r in planned if r.row not in done]
    for row in planned:
        try:
            with transaction.atomic():
                initiative, created = _write_with_services(row, actor=actor, check=check)
        except ValidationError as exc:
            errors = _error_messages(exc)
        except IntegrityError:
            errors = [
                ("external_id", _(MSG_EXTERNAL_ID_REFUSED).format(external_id=row.external_id))
            ]
        except DatabaseError:
            logger.warning("import row %d refused by the database", row.row, exc_info=True)
            errors = [("", _(MSG_ROW_NOT_WRITTEN))]
        else:
            if created:
                report.created += 1
            else:
                report.updated += 1
            report.add_id(initiative.pk)
            if on_row is not None:
                on_row()
            continue
        if on_row is not None:
            on_row()
        if strict:
            raise _RowFailed(row.row, errors)
        for column, message in errors:
            report.add(row.row, column, message)


def _chunks(source: Iterable, size: int) -> Iterator[list]:
    chunk = []
    for item in source:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


ProgressCallback = Callable[[str, int], None]
CheckpointCallback = Callable[[dict], None]


class _Ticker:
    """Counts rows as they are done and reports each to the progress callback, which
    decides how often to write it (a job: every second or so)."""

    def __init__(self, progress: ProgressCallback, phase: str, done: int = 0) -> None:
        self.progress, self.phase, self.done = progress, phase, done

    def __call__(self) -> None:
        self.done += 1
        self.progress(self.phase, self.done)

    def reach(self, done: int) -> None:
        """After a chunk: count the rows no tick stood for (blank, bad, bulk-written)."""
        self.done = done
        self.progress(self.phase, done)


def import_initiatives(
    *,
    source: RowSource,
    actor,
    scope,
    all_or_nothing: bool = True,
    default_unit_code: str = "",
    default_participant_group: str = "",
    check: bool = True,
    bulk: bool = False,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    on_progress: ProgressCallback | None = None,
    on_checkpoint: CheckpointCallback | None = None,
    resume: dict | None = None,
) -> ImportReport:
    """Validate and write the rows of `source` as initiatives entered by `actor`.

    `scope` (a `accounts.tenancy.Scope`) bounds the units rows may name. `on_progress`
    is called as (phase, rows done) after every row, with phase "validate" or "write".

    `on_checkpoint(state)` is called inside the transaction that writes a chunk, last:
    `state` committed means exactly those rows are written. Given back as `resume`,
    the import goes on after them (valid-rows mode), or returns the finished report
    (all-or-nothing, whose only checkpoint is the whole file written).
    """
    progress = on_progress or (lambda phase, done: None)
    resume = resume or {}
    if resume.get("complete"):
        return ImportReport.from_checkpoint(resume["report"]).finish()

    def validator(report: ImportReport) -> _Validator:
        return _Validator(
            scope=scope,
            report=report,
            default_unit=default_unit_code,
            default_group=default_participant_group,
        )

    # How every row is written, whichever the mode.
    writes = {"actor": actor, "check": check, "bulk": bulk}
    if all_or_nothing:
        return _import_all_or_nothing(
            source,
            validator,
            chunk_size=chunk_size,
            progress=progress,
            on_checkpoint=on_checkpoint,
            writes=writes,
        )

    if resume.get("report"):
        report = ImportReport.from_checkpoint(resume["report"])
        report.all_or_nothing = False
    else:
        report = ImportReport(all_or_nothing=False)
    writer = validator(report)
    skip_through = resume.get("row", 0)
    ticker = _Ticker(progress, "write", done=resume.get("done", 0))
    done = ticker.done

    def after_checkpoint():
        for number, cells, parse_error in source:
            if number <= skip_through:
                writer.remember(number, cells)  # written (or reported) before the checkpoint
            else:
                yield number, cells, parse_error

    for chunk in _chunks(after_checkpoint(), chunk_size):
        done = _write_valid_rows(
            chunk, writer, report, ticker, done, on_checkpoint=on_checkpoint, writes=writes
        )
    report.total = done
    return report.finish()


def _write_valid_rows(chunk, writer, report, ticker, done, *, on_checkpoint, writes) -> int:
    """One chunk of an import of the valid rows: its own transaction and checkpoint."""
    planned = writer.validate_chunk(chunk)
    with transaction.atomic():
        _write_chunk(planned, report=report, strict=False, on_row=ticker, **writes)
        done += len(chunk)
        if on_checkpoint is not None:
            on_checkpoint({"row": chunk[-1][0], "done": done, "report": report.checkpoint_dict()})
    ticker.reach(done)
    return done


def _import_all_or_nothing(
    source, validator, *, chunk_size, progress, on_checkpoint, writes
) -> ImportReport:
    # First pass: validate only; one bad row and nothing is written.
    report = ImportReport(all_or_nothing=True)
    first = validator(report)
    ticker = _Ticker(progress, "validate")
    done = 0
    for chunk in _chunks(source, chunk_size):
        first.validate_chunk(chunk, on_row=ticker)
        done += len(chunk)
        ticker.reach(done)
    report.total = done
    if report.bad_rows or not done:
        return report.finish()
    # Second pass: nothing was wrong, write it all or nothing. Any failure of any row
    # (the services, the database, a worker killed) rolls every row back.
    report = ImportReport(total=done, all_or_nothing=True)
    second = validator(report)
    ticker = _Ticker(progress, "write")
    written = 0
    try:
        with transaction.atomic():
            for chunk in _chunks(source, chunk_size):
                planned = second.validate_chunk(chunk)
                if report.bad_rows:
                    raise _RowFailed(0, [])
                _write_chunk(planned, report=report, strict=True, on_row=ticker, **writes)
                written += len(chunk)
                ticker.reach(written)
            if on_checkpoint is not None:
                on_checkpoint(
                    {"complete": True, "done": written, "report": report.checkpoint_dict()}
                )
    except _RowFailed as failed:
        for column, message in failed.errors:
            report.add(failed.row, column, message)
        report.created = report.updated = report.unchanged = 0
        report.ids = []
    return report.finish()
