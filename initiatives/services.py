"""Writes to initiatives: drafts, submission, the workflow's transitions.

Every transition goes through `_transition`, which locks the row (two people may
act at once), checks the move is allowed, records an `InitiativeEvent` and saves
only the fields it touched. The similarity check is enqueued after commit.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django_fsm import can_proceed

from dedup.text import fold_accents, normalize_vietnamese
from federation.models import OrgUnit, UnitKind
from initiatives import attachments as attachment_rules
from initiatives.models import (
    Attachment,
    Initiative,
    InitiativeAuthor,
    InitiativeEvent,
    Status,
)
from portal.membership import MSG_MEMBERSHIP_PENDING, membership_blocks_submit

logger = logging.getLogger(__name__)

MSG_CONTRIBUTIONS_NOT_100 = gettext_noop(
    "Tổng tỷ lệ đóng góp của các tác giả phải bằng 100% (hiện là {total}%)."
)
MSG_NO_AUTHOR = gettext_noop("Cần ít nhất một tác giả.")
MSG_UNIT_NOT_GRASSROOTS = gettext_noop("Sáng kiến phải thuộc một công đoàn cơ sở đang hoạt động.")
MSG_NOT_EDITABLE = gettext_noop("Sáng kiến ở trạng thái “{status}” không thể sửa.")
MSG_TRANSITION_NOT_ALLOWED = gettext_noop(
    "Không thể chuyển sáng kiến từ “{status}” sang bước này (có thể người khác vừa xử lý)."
)
MSG_REASON_REQUIRED = gettext_noop("Cần ghi rõ lý do.")
MSG_ATTACHMENT_NOT_EDITABLE = gettext_noop(
    "Chỉ thêm hoặc xoá tệp khi sáng kiến là bản nháp hoặc bị trả lại để sửa."
)

# Fields whose text is checked for copying and whose words feed the search.
TEXT_FIELDS = (
    "title",
    "summary",
    "problem",
    "description",
    "prior_solution",
    "improvements",
    "application_scope",
    "conditions",
    "benefit_text",
    "applied_benefit_text",
)
EDITABLE_FIELDS = (
    *TEXT_FIELDS,
    "field",
    "investor",
    "confidential_info",
    "first_applied_on",
    "first_applied_by",
    "benefit_vnd",
    "applied_benefit_vnd",
    "participant_group",
    "is_confidential",
    "award",
    "unit",
    "owner",
)


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


def search_text_for(initiative: Initiative) -> str:
    """What accent-insensitive search looks in: the parts anyone may read."""
    parts = [initiative.title, initiative.summary, initiative.award]
    if not initiative.is_confidential:
        parts += [initiative.problem, initiative.description, initiative.application_scope]
    return fold_accents(normalize_vietnamese(" ".join(p for p in parts if p)))


def top_unit_of(unit: OrgUnit) -> OrgUnit | None:
    """The unit directly under the confederation that `unit` belongs to today."""
    if unit.level == 1:
        return unit
    return unit.get_ancestors().filter(level=1).first()


def _validate_authors(authors: Sequence[AuthorData]) -> None:
    if not authors:
        raise ValidationError({"authors": _(MSG_NO_AUTHOR)})
    total = sum((Decimal(a.contribution_percent) for a in authors), Decimal(0))
    if total != Decimal(100):
        shown = f"{total:.2f}".rstrip("0").rstrip(".").replace(".", ",")
        raise ValidationError({"authors": _(MSG_CONTRIBUTIONS_NOT_100).format(total=shown)})


def _validate_unit(unit: OrgUnit) -> None:
    if unit.kind != UnitKind.GRASSROOTS or unit.active_to is not None:
        raise ValidationError({"unit": _(MSG_UNIT_NOT_GRASSROOTS)})


def _replace_authors(initiative: Initiative, authors: Sequence[AuthorData]) -> None:
    initiative.authors.all().delete()
    rows = []
    for position, author in enumerate(authors):
        row = InitiativeAuthor(
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
        row.full_clean(exclude=["initiative"])
        rows.append(row)
    InitiativeAuthor.objects.bulk_create(rows)


@transaction.atomic
def initiative_save_draft(
    *,
    entered_by,
    data: dict,
    authors: Sequence[AuthorData] | None = None,
    initiative: Initiative | None = None,
    client_token: uuid.UUID | None = None,
) -> Initiative:
    """Create or update a draft (or a returned initiative being revised).

    `authors`, when given, replaces the author list (an empty list removes every
    author); None leaves it as it is. Authors are checked for a 100% total only on
    submission: a draft may be incomplete.
    The caller has already checked that `entered_by` may write in `data["unit"]`'s subtree.
    """
    if initiative is None and client_token is not None:
        existing = Initiative.objects.filter(client_token=client_token).first()
        if existing is not None:
            if existing.entered_by_id != entered_by.pk or not existing.is_editable:
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
    for name in EDITABLE_FIELDS:
        if name in data:
            setattr(initiative, name, data[name])
    _validate_unit(initiative.unit)
    initiative.search_text = search_text_for(initiative)
    initiative.full_clean()
    if initiative.pk is None and client_token is not None:
        try:
            # Savepoint: two requests with the same token at once; the second one loses.
            with transaction.atomic():
                initiative.save()
        except IntegrityError:
            return Initiative.objects.get(client_token=client_token)
    else:
        initiative.save()
    if authors is not None:
        _replace_authors(initiative, authors)
    return initiative


def _transition(
    initiative: Initiative, name: str, *, actor, reason: str = "", **fields
) -> Initiative:
    """Apply FSM transition `name` under a row lock and record it. Call inside atomic()."""
    locked = Initiative.objects.select_for_update().get(pk=initiative.pk)
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
    from portal.rankings.services import tally_record_transition  # keeps ranking counters exact

    tally_record_transition(initiative=locked)
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
        from dedup.tasks import check_initiative

        check_initiative.delay(initiative_id)
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
    _validate_authors(
        [AuthorData(a.full_name, a.contribution_percent) for a in locked.authors.all()]
    )
    _validate_unit(locked.unit)
    _validate_membership(actor, locked.unit)
    locked.full_clean()
    name = "submit" if locked.status == Status.DRAFT else "resubmit"
    extra = {"submitted_at": submitted_at or timezone.now()} if name == "submit" else {}
    if name == "submit":
        extra["top_unit"] = top_unit_of(locked.unit)
    locked = _transition(locked, name, actor=actor, **extra)
    locked = _transition(locked, "start_check", actor=None)
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
    *, initiative: Initiative, reviewer, decision: str, reason: str = ""
) -> Initiative:
    """A reviewer approves, rejects or returns. Reject and return need a reason.

    Two reviewers deciding at once: the row lock makes the second one see the
    first one's state, and `_transition` refuses it.
    """
    transitions = {"approve": "approve", "reject": "reject", "return": "return_for_revision"}
    if decision not in transitions:
        raise ValueError(decision)
    if decision in ("reject", "return") and not reason.strip():
        raise ValidationError({"reason": _(MSG_REASON_REQUIRED)})
    return _transition(
        initiative,
        transitions[decision],
        actor=reviewer,
        reason=reason.strip(),
        decided_at=timezone.now(),
        review_note=reason.strip(),
    )


@transaction.atomic
def initiative_recognise(*, initiative: Initiative, actor, award: str = "") -> Initiative:
    """Record that a valid or approved initiative was recognised (công nhận), with any award."""
    fields = {"award": award.strip()} if award.strip() else {}
    recognised = _transition(initiative, "recognise", actor=actor, **fields)
    if fields:
        recognised.search_text = search_text_for(recognised)
        recognised.save(update_fields=["search_text"])
    return recognised


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
        extracted_text=attachment_rules.extract_text(uploaded_file, checked.extension),
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
    return attachment


@transaction.atomic
def attachment_remove(*, attachment: Attachment, actor) -> None:
    """Remove a file from a draft or returned initiative (and from storage after commit)."""
    locked = Initiative.objects.select_for_update().get(pk=attachment.initiative_id)
    if not locked.is_editable:
        raise ValidationError(_(MSG_ATTACHMENT_NOT_EDITABLE))
    stored_name, storage = attachment.file.name, attachment.file.storage
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(stored_name))
