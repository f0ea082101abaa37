"""Writes of the moderation queue: claims, decisions, the author's notice, unit policy.

Decisions go through `initiatives.services.initiative_decide`, which locks the
row and refuses a move that is no longer allowed: two reviewers deciding at
once, one wins and the other is told. The author hears of the decision twice:
a notice in the portal (same transaction) and an email sent by a Celery task
after commit.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.tenancy import UNIT_ADMIN_ROLES, scope_for
from core.models import Notice
from core.notices import notices_changed
from core.outbox import outbox_enqueue
from federation.models import OrgUnit
from initiatives.models import DECIDABLE, Initiative, InitiativeEvent, Status
from initiatives.services import initiative_decide
from review import selectors

logger = logging.getLogger(__name__)

DECIDABLE_STATES = frozenset(DECIDABLE)
CLAIM_MINUTES = 30
ASSIGN_HOURS = 24
DECISIONS = ("approve", "return", "reject")

MSG_CLAIMED_BY_OTHER = gettext_noop(
    "{name} đang xử lý sáng kiến này (đến {until}). Hãy chọn sáng kiến khác."
)
MSG_NOT_WAITING = gettext_noop(
    "Sáng kiến này không còn chờ duyệt (trạng thái hiện tại: “{status}”)."
)
MSG_ASSIGNEE_NOT_REVIEWER = gettext_noop("Người được giao không phải người duyệt của đơn vị này.")
MSG_NOT_YOUR_CLAIM = gettext_noop("Bạn không giữ sáng kiến này nên không thể trả lại hàng chờ.")
MSG_UNKNOWN_DECISION = gettext_noop("Quyết định không hợp lệ.")
MSG_NOTHING_SELECTED = gettext_noop("Chưa chọn sáng kiến nào.")
MSG_TIME_LIMIT_RANGE = gettext_noop("Thời hạn duyệt phải từ 1 đến 90 ngày.")
MSG_POLICY_NOT_TOP_LEVEL = gettext_noop(
    "Chỉ đơn vị trực thuộc Tổng Liên đoàn mới có chính sách duyệt."
)

# Reasons reviewers give most often; they may also type their own.
COMMON_REASONS = {
    "return": [
        gettext_noop("Bổ sung số liệu làm lợi và cách tính."),
        gettext_noop("Ghi rõ phần cải tiến so với giải pháp đã có."),
        gettext_noop("Trích dẫn nguồn cho phần nội dung lấy từ tài liệu khác."),
        gettext_noop("Bổ sung xác nhận của đơn vị áp dụng."),
    ],
    "reject": [
        gettext_noop("Nội dung sao chép từ sáng kiến của người khác."),
        gettext_noop("Nội dung sao chép từ Internet, không có cải tiến riêng."),
        gettext_noop("Trùng với sáng kiến đã được công nhận."),
        gettext_noop("Không phải sáng kiến (chưa được áp dụng trong thực tế)."),
    ],
    "approve": [
        gettext_noop("Phần trùng là trích dẫn hợp lệ."),
        gettext_noop("Phần trùng là tác phẩm trước của chính tác giả."),
    ],
}


def common_reasons() -> dict[str, list[str]]:
    """The common reasons in the reader's language, by decision."""
    return {
        decision: [_(reason) for reason in reasons] for decision, reasons in COMMON_REASONS.items()
    }


DECISION_SUBJECTS = {
    "approve": gettext_noop("Sáng kiến “{title}” đã được phê duyệt"),
    "reject": gettext_noop("Sáng kiến “{title}” không được phê duyệt"),
    "return": gettext_noop("Sáng kiến “{title}” được trả lại để bổ sung"),
}


DONE_MESSAGES = {
    "approve": gettext_noop("Đã phê duyệt “{title}”."),
    "reject": gettext_noop("Đã từ chối “{title}”."),
    "return": gettext_noop("Đã trả lại “{title}” để tác giả sửa."),
}


def decision_done_message(decision: str, initiative: Initiative) -> str:
    return _(DONE_MESSAGES[decision]).format(title=initiative.title[:120])


def revise_link(initiative: Initiative) -> str:
    """Where the author revises a returned initiative: the submission form's edit page."""
    return reverse("initiatives:edit", args=[initiative.pk])


def _claim_active(initiative: Initiative, now=None) -> bool:
    now = now or timezone.now()
    return bool(
        initiative.claimed_by_id and initiative.claimed_until and initiative.claimed_until > now
    )


def _lock_in_scope(*, viewer, initiative_id: int) -> Initiative:
    """The row, locked, if it lies in the viewer's review scope; else 404."""
    scope = selectors.review_scope(viewer)
    locked = (
        Initiative.objects.select_for_update(of=("self",))
        .select_related("claimed_by")
        .filter(scope.unit_q("unit"), pk=initiative_id)
        .first()
    )
    if locked is None:
        raise Http404
    return locked


def _refuse_if_held_by_other(initiative: Initiative, reviewer) -> None:
    if _claim_active(initiative) and initiative.claimed_by_id != reviewer.pk:
        until = timezone.localtime(initiative.claimed_until).strftime("%H:%M %d/%m")
        raise ValidationError(
            _(MSG_CLAIMED_BY_OTHER).format(name=initiative.claimed_by, until=until)
        )


def _refuse_if_not_waiting(initiative: Initiative) -> None:
    if initiative.status not in DECIDABLE:
        raise ValidationError(_(MSG_NOT_WAITING).format(status=initiative.get_status_display()))


@transaction.atomic
def review_claim(*, initiative: Initiative, reviewer) -> Initiative:
    """Hold an item for CLAIM_MINUTES so colleagues pick another; claiming again extends it."""
    locked = _lock_in_scope(viewer=reviewer, initiative_id=initiative.pk)
    _refuse_if_not_waiting(locked)
    _refuse_if_held_by_other(locked, reviewer)
    locked.claimed_by = reviewer
    locked.claimed_until = timezone.now() + dt.timedelta(minutes=CLAIM_MINUTES)
    locked.save(update_fields=["claimed_by", "claimed_until"])
    return locked


@transaction.atomic
def review_assign(*, initiative: Initiative, assigner, assignee) -> Initiative:
    """Hand an item to a colleague whose review scope holds it, for ASSIGN_HOURS."""
    locked = _lock_in_scope(viewer=assigner, initiative_id=initiative.pk)
    _refuse_if_not_waiting(locked)
    _refuse_if_held_by_other(locked, assigner)
    if assignee is None or not selectors.review_scope(assignee).contains(locked.unit):
        raise ValidationError({"assignee": _(MSG_ASSIGNEE_NOT_REVIEWER)})
    locked.claimed_by = assignee
    locked.claimed_until = timezone.now() + dt.timedelta(hours=ASSIGN_HOURS)
    locked.save(update_fields=["claimed_by", "claimed_until"])
    if assignee.pk != assigner.pk:
        with translation.override(assignee.preferred_language):
            Notice.objects.create(
                recipient=assignee,
                subject=_("%(name)s giao cho bạn duyệt sáng kiến “%(title)s”")
                % {"name": assigner, "title": locked.title},
                link=reverse("review-case", args=[locked.pk]),
            )
        notices_changed([assignee.pk])
    return locked


@transaction.atomic
def review_release(*, initiative: Initiative, reviewer) -> Initiative:
    """Give an item back to the queue. Only its holder can (or anyone once it expired)."""
    locked = _lock_in_scope(viewer=reviewer, initiative_id=initiative.pk)
    if _claim_active(locked) and locked.claimed_by_id != reviewer.pk:
        raise ValidationError(_(MSG_NOT_YOUR_CLAIM))
    locked.claimed_by = None
    locked.claimed_until = None
    locked.save(update_fields=["claimed_by", "claimed_until"])
    return locked


def notify_author(*, initiative: Initiative, event: InitiativeEvent, decision: str) -> None:
    """A notice in the portal and an email in the outbox, in the author's language;
    both carry the reason and are saved with the decision."""
    recipient = initiative.owner or initiative.entered_by
    if recipient is None:
        return
    # Written in the author's language, not the reviewer's.
    with translation.override(recipient.preferred_language):
        notice = _author_notice(
            recipient=recipient, initiative=initiative, event=event, decision=decision
        )
        if recipient.email:
            from review.tasks import decision_email

            # In this transaction: saved with the decision, sent by Celery (core.outbox).
            outbox_enqueue(
                to=[recipient.email], **decision_email(notice=notice, initiative=initiative)
            )


def _author_notice(*, recipient, initiative: Initiative, event: InitiativeEvent, decision: str):
    body = event.reason or _("Không có ghi chú.")
    link = (
        revise_link(initiative)
        if decision == "return"
        else reverse("initiatives:detail", args=[initiative.pk])
    )
    if decision == "return":
        body = _("Lý do: %(reason)s\n\nHãy sửa và nộp lại sáng kiến.") % {"reason": body}
    elif decision == "reject":
        body = _("Lý do: %(reason)s") % {"reason": body}
    else:
        body = _("Ghi chú của người duyệt: %(reason)s") % {"reason": body}
    notices_changed([recipient.pk])
    return Notice.objects.create(
        recipient=recipient,
        subject=_(DECISION_SUBJECTS[decision]).format(title=initiative.title[:200]),
        body=body,
        link=link,
    )


def _forget_stats(reviewer_id: int) -> None:
    try:
        cache.delete(selectors.stats_cache_key(reviewer_id))
    except Exception:  # noqa: BLE001 - Redis down: the numbers refresh when it expires
        logger.warning("could not forget the review stats of %s", reviewer_id)


@transaction.atomic
def review_decide(
    *, initiative: Initiative, reviewer, decision: str, reason: str = ""
) -> Initiative:
    """Approve, reject or return one item; clears its claim and tells the author.

    Reject and return need a reason (ValidationError otherwise, nothing saved).
    A second reviewer deciding the same item gets ValidationError: the first won.
    """
    if decision not in DECISIONS:
        raise ValidationError({"decision": _(MSG_UNKNOWN_DECISION)})
    # FOR UPDATE: two reviewers may act at once; the second waits here, then is refused.
    locked = _lock_in_scope(viewer=reviewer, initiative_id=initiative.pk)
    _refuse_if_held_by_other(locked, reviewer)
    decided = initiative_decide(
        initiative=locked,
        reviewer=reviewer,
        decision=decision,
        reason=reason,
        already_locked=True,
        release_claim=True,
    )
    event = decided.events.order_by("-created_at", "-pk").first()
    notify_author(initiative=decided, event=event, decision=decision)
    transaction.on_commit(lambda: _forget_stats(reviewer.pk))
    return decided


@dataclass
class BulkResult:
    decided: list[Initiative] = field(default_factory=list)
    refused: list[tuple[int, str]] = field(default_factory=list)


def review_bulk_decide(
    *, initiative_ids: Iterable[int], reviewer, decision: str, reason: str = ""
) -> BulkResult:
    """The same decision on several items; each one on its own (one refusal stops none)."""
    ids = sorted({int(pk) for pk in initiative_ids})
    if not ids:
        raise ValidationError(_(MSG_NOTHING_SELECTED))
    if decision not in DECISIONS:
        raise ValidationError({"decision": _(MSG_UNKNOWN_DECISION)})
    result = BulkResult()
    for pk in ids:
        try:
            result.decided.append(
                review_decide(
                    initiative=Initiative(pk=pk),
                    reviewer=reviewer,
                    decision=decision,
                    reason=reason,
                )
            )
        except Http404:
            result.refused.append((pk, _("Không tìm thấy.")))
        except ValidationError as error:
            result.refused.append((pk, " ".join(error.messages)))
    return result


@transaction.atomic
def review_policy_set(
    *, unit: OrgUnit, actor, review_everything: bool, review_time_limit_days: int
) -> OrgUnit:
    """A level-1 unit's admin chooses what its reviewers see and how long they may take."""
    scope = scope_for(actor, UNIT_ADMIN_ROLES)
    locked = OrgUnit.objects.select_for_update().filter(scope.unit_q(), pk=unit.pk).first()
    if locked is None:
        raise Http404
    if locked.level != 1:
        raise ValidationError(_(MSG_POLICY_NOT_TOP_LEVEL))
    if not 1 <= int(review_time_limit_days) <= 90:
        raise ValidationError({"review_time_limit_days": _(MSG_TIME_LIMIT_RANGE)})
    locked.review_everything = bool(review_everything)
    locked.review_time_limit_days = int(review_time_limit_days)
    locked.full_clean()
    locked.save(update_fields=["review_everything", "review_time_limit_days"])
    return locked


@transaction.atomic
def notices_mark_read(*, viewer) -> int:
    notices_changed([viewer.pk])
    return Notice.objects.filter(recipient=viewer, read_at__isnull=True).update(
        read_at=timezone.now()
    )


__all__ = [
    "COMMON_REASONS",
    "common_reasons",
    "DECISIONS",
    "Status",
    "review_assign",
    "review_bulk_decide",
    "review_claim",
    "review_decide",
    "review_policy_set",
    "review_release",
]
