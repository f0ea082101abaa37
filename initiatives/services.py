"""Writes to initiatives: drafts, submission, the workflow's transitions.

Every transition goes through `_transition`, which locks the row (two people may
act at once), checks the move is allowed, records an `InitiativeEvent` and saves
only the fields it touched. The similarity check is enqueued after commit.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django_fsm import can_proceed

from accounts.membership import MSG_MEMBERSHIP_PENDING, membership_blocks_submit
from accounts.tenancy import subtree_q
from config.celery import app
from federation.models import OrgUnit, UnitKind
from initiatives import attachments as attachment_rules
from initiatives import fields as sections
from initiatives import validation
from initiatives.models import (
    Attachment,
    Initiative,
    InitiativeAuthor,
    InitiativeEvent,
    Status,
)
from initiatives.search import search_text_from
from initiatives.signals import any_receiver_moved, initiative_deleting, initiative_written
from initiatives.validation import MSG_CONTRIBUTIONS_NOT_100, MSG_NO_AUTHOR  # noqa: F401

logger = logging.getLogger(__name__)

# Registered by dedup, which sits above initiatives: enqueued by name, never imported.
SIMILARITY_CHECK_TASK = "dedup.tasks.check_initiative"

MSG_UNIT_NOT_GRASSROOTS = gettext_noop("Sáng kiến phải thuộc một công đoàn cơ sở đang hoạt động.")
MSG_NOT_EDITABLE = gettext_noop("Sáng kiến ở trạng thái “{status}” không thể sửa.")
MSG_TRANSITION_NOT_ALLOWED = gettext_noop(
    "Không thể chuyển sáng kiến từ “{status}” sang bước này (có thể người khác vừa xử lý)."
)
MSG_REASON_REQUIRED = gettext_noop("Cần ghi rõ lý do.")
# A form's token belongs to whoever first saved with it: another account re-sending it
# (a copied page, a shared phone's back button) must never reach that draft.
MSG_CLIENT_TOKEN_TAKEN = gettext_noop(
    "Biểu mẫu này đã được dùng bởi một tài khoản khác; hãy mở lại trang tạo sáng kiến."
)
MSG_ATTACHMENT_NOT_EDITABLE = gettext_noop(
    "Chỉ thêm hoặc xoá tệp khi sáng kiến là bản nháp hoặc bị trả lại để sửa."
)

# Fields whose text is checked for copying (declared in `initiatives.fields`).
TEXT_FIELDS = sections.CHECKED_TEXT
# What a draft's data may set: every declared section, and who owns it.
EDITABLE_FIELDS = (*sections.names(), "owner")


@dataclass
class AuthorData:
    full_name: str
    contribution_percent: Decimal
    user_id: int | None = None
    external_person_id: str = ""
    date_of_birth: object = None
    workplace: str = ""
    job_title: str = ""
    qualification: str = ""


def search_text_for(initiative: Initiative, *, author_names: Iterable[str] | None = None) -> str:
    """What accent-insensitive search looks in: the parts anyone may read, with the
    authors' and the unit's names. Without `author_names`, the stored authors'."""
    if author_names is None:
        author_names = (
            list(initiative.authors.values_list("full_name", flat=True)) if initiative.pk else []
        )
    return search_text_from(
        title=initiative.title,
        summary=initiative.summary,
        award=initiative.award,
        is_confidential=initiative.is_confidential,
        body=[initiative.problem, initiative.description, initiative.application_scope],
        author_names=author_names,
        unit_name=initiative.unit.name if initiative.unit_id else "",
    )


def top_unit_of(unit: OrgUnit) -> OrgUnit | None:
    """The unit directly under the confederation that `unit` belongs to today."""
    if unit.level == 1:
        return unit
    return unit.get_ancestors().filter(level=1).first()


def top_unit_id_on(unit: OrgUnit, submitted_at) -> int | None:
    """The unit directly under the confederation that `unit` belonged to when the
    initiative was handed in: an initiative of 06/03/2025 from the Sóc Trăng area counts
    for Sóc Trăng, not for the new Cần Thơ that exists only from 01/07/2025."""
    from federation.selectors import top_level_unit_on

    day = timezone.localdate(submitted_at)
    top_id = top_level_unit_on(unit, day)
    if top_id is None:
        today = top_unit_of(unit)
        top_id = today.pk if today is not None else None
    return top_id


def counted_write(locked: Initiative, *, reattribute: bool = True) -> None:
    """The one path from any write of an initiative to the ranking counters.

    Every service that saves an initiative (form, API, imports row by row and in bulk,
    the admin, status changes, reorganisations of the tree) calls this inside its
    transaction, with the row locked and saved. `reattribute` re-derives the top-level
    unit it counts for from its unit and submission date (a changed unit or date, or a
    back-dated move); the counters' receiver of `initiative_written` (rankings) then takes
    off exactly what was counted before and adds the initiative as it now stands.
    """
    from core.page_cache import public_pages_changed

    if reattribute and locked.status != Status.DRAFT and locked.submitted_at is not None:
        top_id = top_unit_id_on(locked.unit, locked.submitted_at)
        if top_id is not None and top_id != locked.top_unit_id:
            locked.top_unit_id = top_id
            Initiative.objects.filter(pk=locked.pk).update(top_unit_id=top_id)
    counters_moved = any_receiver_moved(
        initiative_written.send(sender=Initiative, initiative=locked)
    )
    # Its counters or public text may have changed: the library and leaderboards too.
    # A draft that was never counted shows nowhere public: saving it changes nothing
    # there (in a deadline rush, half the writes are draft saves).
    if counters_moved or locked.status != Status.DRAFT:
        public_pages_changed()


def may_set_award(actor, unit: OrgUnit) -> bool:
    """The award is written by the union officers of the initiative's unit (or above)."""
    from accounts.tenancy import OFFICER_ROLES, scope_for

    if actor is None:
        return False
    # The unit's position from the database: an instance held since may have stale lft/rght.
    return scope_for(actor, OFFICER_ROLES).units().filter(pk=unit.pk).exists()


def _validate_unit(unit: OrgUnit) -> None:
    if unit.kind != UnitKind.GRASSROOTS or unit.active_to is not None:
        raise ValidationError({"unit": _(MSG_UNIT_NOT_GRASSROOTS)})


def author_rows(initiative: Initiative, authors: Sequence[AuthorData]) -> list[InitiativeAuthor]:
    """The initiative's author rows, unsaved, in the order given."""
    return [
        InitiativeAuthor(
            initiative=initiative,
            user_id=author.user_id,
            external_person_id=author.external_person_id,
            full_name=author.full_name.strip(),
            date_of_birth=author.date_of_birth,
            workplace=author.workplace,
            job_title=author.job_title,
            qualification=author.qualification,
            contribution_percent=Decimal(author.contribution_percent),
            position=position,
        )
        for position, author in enumerate(authors)
    ]


def _replace_authors(initiative: Initiative, authors: Sequence[AuthorData]) -> None:
    initiative.authors.all().delete()
    rows = author_rows(initiative, authors)
    for row in rows:
        row.full_clean(exclude=["initiative"])
    InitiativeAuthor.objects.bulk_create(rows)


def _own_by_token(client_token: uuid.UUID, entered_by) -> Initiative | None:
    """The initiative this account already saved with `client_token`, if any.

    The token is bound to the account that first used it: anyone else gets a
    ValidationError and never the initiative itself.
    """
    existing = Initiative.objects.filter(client_token=client_token).first()
    if existing is not None and existing.entered_by_id != entered_by.pk:
        raise ValidationError(_(MSG_CLIENT_TOKEN_TAKEN), code="client_token_taken")
    return existing


@transaction.atomic
def initiative_save_draft(
    *,
    entered_by,
    data: dict,
    authors: Sequence[AuthorData] | None = None,
    initiative: Initiative | None = None,
    client_token: uuid.UUID | None = None,
    actor=None,
) -> Initiative:
    """Create or update a draft (or a returned initiative being revised).

    `authors`, when given, replaces the author list (an empty list removes every
    author); None leaves it as it is. Authors are checked for a 100% total only on
    submission: a draft may be incomplete.
    The caller has already checked that `entered_by` may write in `data["unit"]`'s subtree.
    `actor` (default `entered_by`) is who writes now: only an officer may change the award.
    Refused (ValidationError, nothing saved) when `validation.draft_problems` finds any.
    """
    actor = actor or entered_by
    if initiative is None and client_token is not None:
        existing = _own_by_token(client_token, entered_by)
        if existing is not None:
            if not existing.is_editable:
                return existing  # the same form sent twice: nothing more to do
            initiative = existing  # the same new-initiative form saved again: update it
    if initiative is None:
        initiative = Initiative(entered_by=entered_by, client_token=client_token)
    else:
        initiative = Initiative.objects.select_for_update().get(pk=initiative.pk)
        if not initiative.is_editable:
            raise ValidationError(
                _(MSG_NOT_EDITABLE).format(status=initiative.get_status_display())
            )
    previous_award = initiative.award
    for name in EDITABLE_FIELDS:
        if name in data:
            setattr(initiative, name, data[name])
    _validate_unit(initiative.unit)
    validation.raise_problems(
        validation.draft_problems(
            values=validation.values_of(initiative),
            authors=authors,
            may_set_award=may_set_award(actor, initiative.unit),
            previous_award=previous_award,
        )
    )
    initiative.search_text = search_text_for(
        initiative, author_names=[a.full_name for a in authors] if authors is not None else None
    )
    initiative.full_clean()
    if initiative.pk is None and client_token is not None:
        try:
            # Savepoint: two requests with the same token at once; the second one loses.
            with transaction.atomic():
                initiative.save()
        except IntegrityError:
            return _own_by_token(client_token, entered_by)
    else:
        initiative.save()
    if authors is not None:
        _replace_authors(initiative, authors)
    if initiative.status != Status.DRAFT:
        # A returned initiative is counted (pending) while it is revised: a new unit,
        # group, field or benefit moves its count now, not only on resubmission.
        counted_write(initiative)
    return initiative


def _transition(
    initiative: Initiative,
    name: str,
    *,
    actor,
    reason: str = "",
    already_locked: bool = False,
    **fields,
) -> Initiative:
    """Apply FSM transition `name` under a row lock and record it. Call inside atomic().

    `already_locked`: `initiative` was read with SELECT FOR UPDATE in this transaction
    (initiative_submit), so it is current and locked; it is not read again.
    """
    locked = (
        initiative
        if already_locked
        else Initiative.objects.select_for_update().get(pk=initiative.pk)
    )
    method = getattr(locked, name)
    if not can_proceed(method):
        raise ValidationError(
            _(MSG_TRANSITION_NOT_ALLOWED).format(status=locked.get_status_display())
        )
    previous = locked.status
    method()
    for field_name, value in fields.items():
        setattr(locked, field_name, value)
    locked.save(update_fields=["status", "updated_at", *fields])
    # A status change moves the count between buckets; the attribution was set on submission.
    counted_write(locked, reattribute=False)
    InitiativeEvent.objects.create(
        initiative=locked,
        transition=name,
        from_status=previous,
        to_status=locked.status,
        actor=actor,
        reason=reason,
    )
    return locked


def enqueue_similarity_check(initiative_id: int) -> None:
    """Hand the check to Celery. If the broker is down the initiative is already saved
    in `checking`; the periodic sweep (`dedup.tasks.sweep_unchecked`) picks it up."""
    try:
        # By name: dedup sits above initiatives (its AppConfig.ready registers the task).
        app.tasks[SIMILARITY_CHECK_TASK].delay(initiative_id)
    except Exception:  # noqa: BLE001 - any broker failure must not lose the submission
        logger.exception("could not enqueue the similarity check of initiative %s", initiative_id)


def _validate_membership(actor, unit) -> None:
    """A worker whose membership of the unit is not confirmed may keep drafts, not submit."""
    if membership_blocks_submit(user=actor, unit=unit):
        raise ValidationError(_(MSG_MEMBERSHIP_PENDING).format(unit=unit.name))


@transaction.atomic
def initiative_submit(*, initiative: Initiative, actor, submitted_at=None) -> Initiative:
    """Hand in a draft, or resubmit a returned initiative; the check starts after commit.

    `submitted_at` is for imports of initiatives handed in earlier elsewhere.
    """
    locked = Initiative.objects.select_for_update().get(pk=initiative.pk)
    if locked.status not in (Status.DRAFT, Status.RETURNED):
        return locked  # already handed in: a second click changes nothing
    validation.raise_problems(
        validation.submission_problems(
            values=validation.values_of(locked),
            authors=list(locked.authors.all()),
            submitted_at=submitted_at,
        )
    )
    _validate_unit(locked.unit)
    _validate_membership(actor, locked.unit)
    # The row as stored: its foreign keys, unique token and CHECK constraints are held by
    # the database itself, so only the fields' own rules are checked again here (the
    # rest would be eleven more queries per submission, for nothing).
    locked.full_clean(
        exclude=[field.name for field in Initiative._meta.concrete_fields if field.is_relation],
        validate_unique=False,
        validate_constraints=False,
    )
    name = "submit" if locked.status == Status.DRAFT else "resubmit"
    extra = {"submitted_at": submitted_at or timezone.now()} if name == "submit" else {}
    if name == "submit":
        extra["top_unit_id"] = top_unit_id_on(locked.unit, extra["submitted_at"])
    locked = _transition(locked, name, actor=actor, already_locked=True, **extra)
    locked = _transition(locked, "start_check", actor=None, already_locked=True)
    transaction.on_commit(lambda: enqueue_similarity_check(locked.pk))
    return locked


@transaction.atomic
def initiative_record_check(
    *, initiative: Initiative, flagged: bool, copied_share: float | None, source_count: int
) -> Initiative:
    """The similarity check's verdict: valid, or flagged for a reviewer."""
    locked = Initiative.objects.select_for_update().get(pk=initiative.pk)
    fields = {"copied_share": copied_share, "copied_source_count": source_count}
    if locked.status != Status.CHECKING:
        # Checked again (e.g. after a rebuild) while already decided: keep the decision.
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.save(update_fields=list(fields))
        return locked
    return _transition(locked, "flag" if flagged else "pass_check", actor=None, **fields)


@transaction.atomic
def initiative_decide(
    *,
    initiative: Initiative,
    reviewer,
    decision: str,
    reason: str = "",
    already_locked: bool = False,
    release_claim: bool = False,
) -> Initiative:
    """A reviewer approves, rejects or returns. Reject and return need a reason.

    Two reviewers deciding at once: the row lock makes the second one see the
    first one's state, and `_transition` refuses it. `already_locked`: the caller read
    `initiative` FOR UPDATE in this transaction. `release_claim`: the reviewer's claim
    ends with the decision, in the same write.
    """
    transitions = {"approve": "approve", "reject": "reject", "return": "return_for_revision"}
    if decision not in transitions:
        raise ValueError(decision)
    if decision in ("reject", "return") and not reason.strip():
        raise ValidationError({"reason": _(MSG_REASON_REQUIRED)})
    claim = {"claimed_by": None, "claimed_until": None} if release_claim else {}
    return _transition(
        initiative,
        transitions[decision],
        actor=reviewer,
        reason=reason.strip(),
        already_locked=already_locked,
        decided_at=timezone.now(),
        review_note=reason.strip(),
        **claim,
    )


MSG_RECOGNITION_NUMBER_REQUIRED = gettext_noop("Cần ghi số quyết định công nhận.")
MSG_RECOGNITION_DATE_REQUIRED = gettext_noop("Cần ghi ngày quyết định công nhận.")
MSG_RECOGNITION_DATE_FUTURE = gettext_noop("Ngày quyết định công nhận không thể ở tương lai.")
MSG_RECOGNITION_LEVEL = gettext_noop("Hãy chọn cấp công nhận.")
MSG_RECOGNITION_NOTHING = gettext_noop("Hãy chọn ít nhất một sáng kiến.")


@dataclass(frozen=True)
class RecognitionDecision:
    """A recognition decision (quyết định công nhận): number, date, level, any award."""

    number: str
    date: object
    level: str
    award: str = ""

    def check(self) -> None:
        from initiatives.models import RecognitionLevel

        errors = {}
        if not (self.number or "").strip():
            errors["number"] = _(MSG_RECOGNITION_NUMBER_REQUIRED)
        if self.date is None:
            errors["date"] = _(MSG_RECOGNITION_DATE_REQUIRED)
        elif self.date > timezone.localdate():
            errors["date"] = _(MSG_RECOGNITION_DATE_FUTURE)
        if self.level not in RecognitionLevel.values:
            errors["level"] = _(MSG_RECOGNITION_LEVEL)
        if errors:
            raise ValidationError(errors)


@transaction.atomic
def initiatives_recognise(
    *, initiatives: Sequence[Initiative], actor, decision: RecognitionDecision
) -> list[Initiative]:
    """Record one recognition decision for valid or approved initiatives, all or none.

    The caller hands in initiatives from `selectors.recognisable_initiatives(viewer=actor)`
    (the officers' own subtree). Each moves to "recognised" through the workflow, and so
    into the rankings' recognised column.
    """
    if not initiatives:
        raise ValidationError(_(MSG_RECOGNITION_NOTHING))
    decision.check()
    return [
        initiative_recognise(
            initiative=initiative,
            actor=actor,
            award=decision.award,
            number=decision.number.strip(),
            date=decision.date,
            level=decision.level,
        )
        for initiative in initiatives
    ]


@transaction.atomic
def initiative_recognise(
    *,
    initiative: Initiative,
    actor,
    award: str = "",
    number: str = "",
    date=None,
    level: str = "",
) -> Initiative:
    """Record that a valid or approved initiative was recognised (công nhận), with the
    decision's number, date and level and any award."""
    fields = {"award": award.strip()} if award.strip() else {}
    if number:
        fields.update(recognition_number=number, recognition_date=date, recognition_level=level)
    recognised = _transition(initiative, "recognise", actor=actor, **fields)
    if fields:
        recognised.search_text = search_text_for(recognised)
        recognised.save(update_fields=["search_text"])
    return recognised


def initiatives_reattribute(*, unit_ids: Sequence[int], since) -> int:
    """Recount the initiatives of these units' subtrees handed in from `since` on, after
    the tree changed from that date (a move or merger, possibly back-dated). Call inside
    the reorganisation's transaction."""
    units = OrgUnit.objects.filter(pk__in=unit_ids)
    subtree = subtree_q(units, "unit")
    if not units:
        return 0
    start = _local_midnight(since)
    affected = (
        Initiative.objects.select_for_update(of=("self",))
        .filter(subtree, submitted_at__gte=start)
        .exclude(status=Status.DRAFT)
        .select_related("unit")
        .order_by("pk")
    )
    count = 0
    for initiative in affected:
        counted_write(initiative)
        count += 1
    return count


def initiatives_reattribute_all() -> int:
    """Set every handed-in initiative's top-level unit to its unit's on its submission date.

    The tree's history only changes on placement dates, so the map is computed once per
    span between two such dates (a handful), and each span is one UPDATE per top-level
    unit. Returns how many initiatives were wrong. Counters are not touched: the caller
    (`tally_reconcile`) recounts them.
    """
    from federation.models import UnitPlacement
    from federation.selectors import top_level_map

    dates = set()
    for valid_from, valid_to in UnitPlacement.objects.values_list("valid_from", "valid_to"):
        dates.update(d for d in (valid_from, valid_to) if d is not None)
    handed_in = Initiative.objects.exclude(status=Status.DRAFT).filter(submitted_at__isnull=False)
    bounds = sorted(dates)
    spans = list(zip([None, *bounds], [*bounds, None], strict=True))
    changed = 0
    for start, end in spans:
        in_span = handed_in
        if start is not None:
            in_span = in_span.filter(submitted_at__gte=_local_midnight(start))
        if end is not None:
            in_span = in_span.filter(submitted_at__lt=_local_midnight(end))
        unit_ids = set(in_span.values_list("unit_id", flat=True).distinct())
        if not unit_ids:
            continue
        # Any day of the span will do; a tree with no dated history has one span.
        if start is not None:
            day = start
        elif end is not None:
            day = end - dt.timedelta(days=1)
        else:
            day = timezone.localdate()
        by_top: dict[int, list[int]] = {}
        for unit_id, top_id in top_level_map(as_of=day, unit_ids=unit_ids).items():
            by_top.setdefault(top_id, []).append(unit_id)
        for top_id, units in by_top.items():
            changed += (
                in_span.filter(unit_id__in=units)
                .exclude(top_unit_id=top_id)
                .update(top_unit_id=top_id)
            )
    return changed


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def on_subtree_moved(sender, *, unit_ids, effective_date, **kwargs) -> None:
    initiatives_reattribute(unit_ids=unit_ids, since=effective_date)


@transaction.atomic
def initiative_admin_delete(*, initiative: Initiative, actor) -> None:
    """Delete an initiative from the admin, taking it off the ranking counters first."""
    locked = Initiative.objects.select_for_update().get(pk=initiative.pk)
    initiative_deleting.send(sender=Initiative, initiative_id=locked.pk)
    locked.delete()


@transaction.atomic
def initiative_admin_save(*, initiative: Initiative, actor) -> Initiative:
    """An administrator's correction in the Django admin, saved as entered.

    It still goes through `counted_write`: a corrected unit, field, group, benefit or
    submission date moves the initiative's count like any other write.
    """
    if initiative.pk is not None:
        # FOR UPDATE: a reviewer or an import may be writing this initiative right now.
        Initiative.objects.select_for_update().filter(pk=initiative.pk).exists()
    initiative.search_text = search_text_for(initiative)
    initiative.full_clean(exclude=["top_unit"])
    initiative.save()
    counted_write(initiative)
    return initiative


@transaction.atomic
def attachment_add(*, initiative: Initiative, uploaded_file, uploaded_by) -> Attachment:
    """Attach a file to a draft or returned initiative after checking its type by content
    and the size limits; the text of a PDF or DOCX is kept for the similarity check.

    Raises ValidationError (a Vietnamese message naming the file) and stores nothing.
    """
    # FOR UPDATE: two uploads at once must not both squeeze under the per-initiative limit.
    locked = Initiative.objects.select_for_update().get(pk=initiative.pk)
    if not locked.is_editable:
        raise ValidationError(_(MSG_ATTACHMENT_NOT_EDITABLE))
    used = sum(locked.attachments.values_list("size", flat=True))
    checked = attachment_rules.inspect_upload(uploaded_file, already_used=used)
    attachment = Attachment(
        initiative=locked,
        original_name=uploaded_file.name[:255],
        extension=checked.extension,
        content_type=checked.content_type,
        size=checked.size,
        text_status=attachment_rules.initial_text_status(checked.extension),
        uploaded_by=uploaded_by,
    )
    attachment.file.save(uploaded_file.name, uploaded_file, save=False)
    # If the transaction rolls back, do not leave the stored file behind.
    stored_name = attachment.file.name
    storage = attachment.file.storage
    try:
        attachment.save()
    except Exception:
        storage.delete(stored_name)
        raise
    if attachment.text_status == Attachment.TextStatus.PENDING:
        transaction.on_commit(lambda: enqueue_text_extraction(attachment.pk))
    return attachment


def enqueue_text_extraction(attachment_id: int) -> None:
    """Hand the extraction to Celery; if the broker is down, the sweep
    (`initiatives.tasks.sweep_pending_attachment_text`) picks it up."""
    try:
        from initiatives.tasks import extract_attachment_text

        extract_attachment_text.delay(attachment_id)
    except Exception:  # noqa: BLE001 - any broker failure must not lose the upload
        logger.exception("could not enqueue the text extraction of attachment %s", attachment_id)


def attachments_pending_text(initiative_id: int) -> bool:
    """Is a file of this initiative still waiting for its text? The similarity check
    waits for it, and the extraction task starts the check when the last one is done."""
    return Attachment.objects.filter(
        initiative_id=initiative_id, text_status=Attachment.TextStatus.PENDING
    ).exists()


@transaction.atomic
def attachment_record_text(
    *, attachment_id: int, status: str, text: str, problem: str, ocr_spans=()
) -> None:
    """Keep an attachment's extracted text (or why there is none) and which spans of
    it OCR read; if its initiative was handed in meanwhile and this was the last file
    waiting, start the check."""
    done = status == Attachment.TextStatus.DONE
    updated = Attachment.objects.filter(
        pk=attachment_id, text_status=Attachment.TextStatus.PENDING
    ).update(
        text_status=status,
        extracted_text=text if done else "",
        ocr_spans=[list(span) for span in ocr_spans] if done else [],
        text_problem=problem if status == Attachment.TextStatus.NOT_EXTRACTED else "",
    )
    if not updated:
        return  # delivered twice, or the file was removed meanwhile
    initiative_id = Attachment.objects.values_list("initiative_id", flat=True).get(pk=attachment_id)
    waiting = Initiative.objects.filter(pk=initiative_id, status=Status.CHECKING).exists()
    if waiting and not attachments_pending_text(initiative_id):
        transaction.on_commit(lambda: enqueue_similarity_check(initiative_id))


@transaction.atomic
def attachment_remove(*, attachment: Attachment, actor) -> None:
    """Remove a file from a draft or returned initiative (and from storage after commit)."""
    locked = Initiative.objects.select_for_update().get(pk=attachment.initiative_id)
    if not locked.is_editable:
        raise ValidationError(_(MSG_ATTACHMENT_NOT_EDITABLE))
    stored_name, storage = attachment.file.name, attachment.file.storage
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(stored_name))
