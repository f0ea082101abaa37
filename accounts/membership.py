"""Memberships and roles: the writes (services) and reads (selectors) about people.

A membership says which grassroots union a person belongs to and since when. The
member role at that unit (what the tenancy gate reads) is held exactly while the
membership is confirmed: every service here keeps the two in step.

Officers act inside their own subtree only: a unit they cannot reach answers 404
(the views turn `OutOfScope` into Http404), a role they may not grant is refused.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import Membership, Role, RoleAssignment, RoleGrantLog, User, normalize_phone
from accounts.tenancy import OFFICER_ROLES, scope_for
from core.tabular import ImportReport, NumberedRow, RowError, reader_for
from core.text import fold_accents, normalize_vietnamese
from federation.models import OrgUnit, UnitKind

MSG_UNIT_NOT_GRASSROOTS = gettext_noop("Hãy chọn một công đoàn cơ sở đang hoạt động.")
MSG_ALREADY_MEMBER = gettext_noop("Bạn đã là đoàn viên hoặc đang chờ xác nhận ở “{unit}”.")
MSG_NOT_PENDING = gettext_noop("Yêu cầu này đã được xử lý.")
MSG_ROLE_NOT_GRANTABLE = gettext_noop("Bạn không được giao vai trò “{role}”.")
MSG_ROLE_EXISTS = gettext_noop("Người này đã có vai trò “{role}” tại “{unit}”.")
MSG_MOVE_SAME_UNIT = gettext_noop("Đoàn viên đang ở chính đơn vị này.")
MSG_MOVE_DATE_BEFORE_JOIN = gettext_noop("Ngày chuyển phải sau ngày vào đơn vị cũ ({date}).")
MSG_INVITATION_INVALID = gettext_noop("Lời mời không hợp lệ hoặc đã hết hạn.")
MSG_MEMBERSHIP_PENDING = gettext_noop(
    "Cán bộ công đoàn cơ sở chưa xác nhận bạn là đoàn viên của “{unit}”. "
    "Bạn vẫn có thể viết và lưu bản nháp; bạn nộp được khi đã được xác nhận."
)

# Roles an officer may hand out inside their subtree: never unit officer, leadership or
# system admin (those come from a system admin).
GRANTABLE_BY_OFFICER = (Role.MEMBER, Role.GRASSROOTS_OFFICER, Role.REVIEWER)
# Who manages people: grassroots officers of their union, unit officers of their subtree.
PEOPLE_MANAGER_ROLES = OFFICER_ROLES
INVITATION_SALT = "accounts.membership.invitation"
INVITATION_MAX_AGE = dt.timedelta(days=14)
OPEN_STATUSES = (Membership.Status.PENDING, Membership.Status.CONFIRMED)


def fold(text: str) -> str:
    return fold_accents(normalize_vietnamese(text or "")).strip()


def _forget_roles(user) -> None:
    user.__dict__.pop("_scope_cache", None)
    user.__dict__.pop("_role_assignments", None)
    user.__dict__.pop("_membership_unit", None)


# --- selectors ----------------------------------------------------------------------------


def grassroots_search(*, query: str, limit: int = 20) -> QuerySet[OrgUnit]:
    """Active grassroots unions whose name holds every word of `query`, accents ignored.

    Tenancy-free on purpose: it lists only names of active grassroots unions, which
    anyone registering has to be able to find.
    """
    terms = fold(query[:200]).split()[:10]
    if not terms:
        return OrgUnit.objects.none()
    units = OrgUnit.objects.filter(kind=UnitKind.GRASSROOTS, active_to__isnull=True)
    for term in terms:
        units = units.filter(search_name__contains=term)
    return units.select_related("parent").order_by("name")[:limit]


def grassroots_by_code(code: str) -> OrgUnit | None:
    return OrgUnit.objects.filter(
        code=code, kind=UnitKind.GRASSROOTS, active_to__isnull=True
    ).first()


def open_membership(user) -> Membership | None:
    if user is None or not user.is_authenticated:
        return None
    return (
        Membership.objects.filter(user=user, status__in=OPEN_STATUSES)
        .select_related("unit")
        .first()
    )


def pending_unit_ids(user) -> QuerySet:
    """Ids of the union `user` asked to join and waits for (a subquery, not evaluated)."""
    return Membership.objects.filter(user=user, status=Membership.Status.PENDING).values("unit_id")


def membership_blocks_submit(*, user, unit) -> bool:
    """True while `user` asked to join `unit` and is neither confirmed there nor an officer
    over it. Accounts without any membership row (created before memberships existed,
    or by an officer) are not held back here: the entry form already limits their units."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if RoleAssignment.objects.filter(user=user, unit=unit, role=Role.MEMBER).exists():
        return False
    if scope_for(user, OFFICER_ROLES).contains(unit):
        return False
    return Membership.objects.filter(
        user=user,
        unit=unit,
        status__in=(Membership.Status.PENDING, Membership.Status.REFUSED),
    ).exists()


def managed_scope(viewer):
    """The subtree in which `viewer` manages people."""
    return scope_for(viewer, PEOPLE_MANAGER_ROLES)


def managed_unit_or_404(*, viewer, code: str) -> OrgUnit:
    return managed_scope(viewer).get_unit_or_404(code=code)


def can_manage_people(viewer) -> bool:
    return viewer is not None and viewer.is_authenticated and not managed_scope(viewer).is_empty


def pending_memberships(*, viewer) -> QuerySet[Membership]:
    scope = managed_scope(viewer)
    return (
        scope.filter(Membership.objects.filter(status=Membership.Status.PENDING), "unit")
        .select_related("user", "unit")
        .order_by("requested_at", "pk")
    )


def member_list(*, viewer, query: str = "", unit: OrgUnit | None = None) -> QuerySet[User]:
    """People with an open membership or any role inside the viewer's subtree."""
    scope = managed_scope(viewer)
    if unit is not None:
        in_scope = Q(memberships__unit=unit, memberships__status__in=OPEN_STATUSES) | Q(
            role_assignments__unit=unit
        )
    else:
        in_scope = (
            scope.unit_q("memberships__unit") & Q(memberships__status__in=OPEN_STATUSES)
        ) | scope.unit_q("role_assignments__unit")
    people = User.objects.filter(pk__in=User.objects.filter(in_scope).values("pk"))
    for term in fold(query[:200]).split()[:6]:
        digits = normalize_phone(term) if term[:1].isdigit() or term[:1] == "+" else ""
        people = people.filter(search_name__contains=digits or term)
    return people.order_by("full_name", "pk")


def person_in_scope_or_404(*, viewer, pk: int) -> User:
    person = member_list(viewer=viewer).filter(pk=pk).first()
    if person is None:
        raise Http404
    return person


def grantable_roles(viewer) -> tuple[str, ...]:
    roles = {a.role for a in viewer.role_assignments.all()}
    if Role.ADMIN in roles:
        return tuple(r for r in Role.values if r != Role.ADMIN)
    if roles & {Role.UNIT_OFFICER, Role.GRASSROOTS_OFFICER}:
        return GRANTABLE_BY_OFFICER
    return ()


def sees_private_details(viewer, person) -> bool:
    """Date of birth and phone: the person themself and their unit's officers only."""
    if viewer is None or not viewer.is_authenticated:
        return False
    if viewer.pk == person.pk:
        return True
    units = person.memberships.filter(status__in=OPEN_STATUSES).values_list("unit_id", flat=True)
    scope = managed_scope(viewer)
    return not scope.is_empty and scope.units().filter(pk__in=list(units)).exists()


# --- services -----------------------------------------------------------------------------


def _grant_member_role(user, unit) -> None:
    RoleAssignment.objects.get_or_create(user=user, unit=unit, role=Role.MEMBER)
    _forget_roles(user)


def _drop_member_role(user, unit) -> None:
    RoleAssignment.objects.filter(user=user, unit=unit, role=Role.MEMBER).delete()
    _forget_roles(user)


@transaction.atomic
def membership_request(
    *,
    user,
    unit: OrgUnit,
    source: str = Membership.Source.REGISTRATION,
    confirmed_by=None,
) -> Membership:
    """A person asks to join a grassroots union; an invitation or import confirms at once."""
    if unit.kind != UnitKind.GRASSROOTS or unit.active_to is not None:
        raise ValidationError({"unit": _(MSG_UNIT_NOT_GRASSROOTS)})
    current = Membership.objects.select_for_update().filter(user=user, status__in=OPEN_STATUSES)
    current = current.first()
    if current is not None:
        if current.unit_id == unit.pk:
            if confirmed_by is not None and current.status == Membership.Status.PENDING:
                return membership_confirm(membership=current, officer=confirmed_by)
            return current
        raise ValidationError({"unit": _(MSG_ALREADY_MEMBER).format(unit=current.unit.name)})
    membership = Membership(user=user, unit=unit, source=source)
    if confirmed_by is not None:
        membership.status = Membership.Status.CONFIRMED
        membership.joined_on = timezone.localdate()
        membership.decided_by = confirmed_by
        membership.decided_at = timezone.now()
    membership.full_clean()
    membership.save()
    if confirmed_by is not None:
        _grant_member_role(user, unit)
    return membership


@transaction.atomic
def membership_confirm(*, membership: Membership, officer) -> Membership:
    locked = Membership.objects.select_for_update().get(pk=membership.pk)
    if locked.status != Membership.Status.PENDING:
        raise ValidationError(_(MSG_NOT_PENDING))
    locked.status = Membership.Status.CONFIRMED
    locked.joined_on = locked.joined_on or timezone.localdate()
    locked.decided_by = officer
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "joined_on", "decided_by", "decided_at"])
    _grant_member_role(locked.user, locked.unit)
    return locked


@transaction.atomic
def membership_refuse(*, membership: Membership, officer) -> Membership:
    locked = Membership.objects.select_for_update().get(pk=membership.pk)
    if locked.status != Membership.Status.PENDING:
        raise ValidationError(_(MSG_NOT_PENDING))
    locked.status = Membership.Status.REFUSED
    locked.decided_by = officer
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "decided_by", "decided_at"])
    return locked


def memberships_decide(*, viewer, ids: list[int], confirm: bool) -> int:
    """Confirm or refuse several pending memberships; those outside the scope are ignored."""
    done = 0
    for membership in pending_memberships(viewer=viewer).filter(pk__in=ids):
        if confirm:
            membership_confirm(membership=membership, officer=viewer)
        else:
            membership_refuse(membership=membership, officer=viewer)
        done += 1
    return done


@transaction.atomic
def membership_move(*, user, new_unit: OrgUnit, moved_on: dt.date, officer) -> Membership:
    """A member changes workplace: the old membership ends on `moved_on`, a new one starts.

    Initiatives keep the unit they were submitted under; only future ones go to the new union.
    """
    if new_unit.kind != UnitKind.GRASSROOTS or new_unit.active_to is not None:
        raise ValidationError({"unit": _(MSG_UNIT_NOT_GRASSROOTS)})
    current = (
        Membership.objects.select_for_update()
        .filter(user=user, status__in=OPEN_STATUSES)
        .select_related("unit")
        .first()
    )
    if current is not None:
        if current.unit_id == new_unit.pk:
            raise ValidationError({"unit": _(MSG_MOVE_SAME_UNIT)})
        if current.joined_on and moved_on < current.joined_on:
            raise ValidationError(
                {"moved_on": _(MSG_MOVE_DATE_BEFORE_JOIN).format(date=current.joined_on)}
            )
        current.status = Membership.Status.ENDED
        current.left_on = moved_on
        current.save(update_fields=["status", "left_on"])
        _drop_member_role(user, current.unit)
    membership = Membership.objects.create(
        user=user,
        unit=new_unit,
        status=Membership.Status.CONFIRMED,
        source=Membership.Source.TRANSFER,
        joined_on=moved_on,
        decided_by=officer,
        decided_at=timezone.now(),
    )
    _grant_member_role(user, new_unit)
    return membership


def _check_grant(*, actor, unit: OrgUnit, role: str) -> None:
    if not managed_scope(actor).contains(unit):
        raise Http404
    if role not in grantable_roles(actor):
        label = Role(role).label if role in Role.values else role
        raise ValidationError({"role": _(MSG_ROLE_NOT_GRANTABLE).format(role=label)})


@transaction.atomic
def role_grant(*, actor, user, unit: OrgUnit, role: str, note: str = "") -> RoleAssignment:
    unit.refresh_from_db()
    _check_grant(actor=actor, unit=unit, role=role)
    if role == Role.MEMBER:
        membership = membership_request(
            user=user, unit=unit, source=Membership.Source.INVITATION, confirmed_by=actor
        )
        assignment = RoleAssignment.objects.get(user=user, unit=membership.unit, role=role)
    else:
        assignment, created = RoleAssignment.objects.get_or_create(user=user, unit=unit, role=role)
        if not created:
            raise ValidationError(
                {"role": _(MSG_ROLE_EXISTS).format(role=Role(role).label, unit=unit.name)}
            )
    RoleGrantLog.objects.create(
        action=RoleGrantLog.Action.GRANT, user=user, unit=unit, role=role, actor=actor, note=note
    )
    _forget_roles(user)
    return assignment


@transaction.atomic
def role_withdraw(*, actor, assignment: RoleAssignment, note: str = "") -> None:
    unit = OrgUnit.objects.get(pk=assignment.unit_id)
    _check_grant(actor=actor, unit=unit, role=assignment.role)
    if assignment.role == Role.MEMBER:
        Membership.objects.filter(user=assignment.user, unit=unit, status__in=OPEN_STATUSES).update(
            status=Membership.Status.ENDED, left_on=timezone.localdate()
        )
    RoleGrantLog.objects.create(
        action=RoleGrantLog.Action.WITHDRAW,
        user=assignment.user,
        unit=unit,
        role=assignment.role,
        actor=actor,
        note=note,
    )
    assignment.delete()
    _forget_roles(assignment.user)


def roles_follow_merge(sender, *, source, target, effective_date, actor, event, **kwargs) -> None:
    """Receives federation.signals.unit_merged: roles and open memberships at a unit merged
    away move to its successor, each move logged. Runs inside the merge's transaction."""
    note = f"reorg-event:{event.pk}"
    for assignment in RoleAssignment.objects.filter(unit=source).select_related("user"):
        if not RoleAssignment.objects.filter(
            user=assignment.user, unit=target, role=assignment.role
        ).exists():
            RoleAssignment.objects.create(
                user=assignment.user,
                unit=target,
                role=assignment.role,
                granted_at=assignment.granted_at,
            )
        RoleGrantLog.objects.create(
            action=RoleGrantLog.Action.MERGE_MOVE,
            user=assignment.user,
            unit=target,
            previous_unit=source,
            role=assignment.role,
            actor=actor,
            at=timezone.now(),
            note=note,
        )
        assignment.delete()
    for membership in Membership.objects.filter(unit=source, status__in=OPEN_STATUSES):
        status = membership.status
        membership.status = Membership.Status.ENDED
        membership.left_on = max(effective_date, membership.joined_on or effective_date)
        membership.save(update_fields=["status", "left_on"])
        Membership.objects.create(
            user_id=membership.user_id,
            unit=target,
            status=status,
            source=Membership.Source.MERGE,
            joined_on=effective_date if status == Membership.Status.CONFIRMED else None,
            requested_at=membership.requested_at,
            decided_by=membership.decided_by,
            decided_at=membership.decided_at,
        )


# --- invitations --------------------------------------------------------------------------


def invitation_token(*, unit: OrgUnit, officer) -> str:
    return signing.TimestampSigner(salt=INVITATION_SALT).sign_object(
        {"unit": unit.pk, "by": officer.pk}
    )


@dataclass(frozen=True)
class Invitation:
    unit: OrgUnit
    officer: User


def invitation_read(token: str) -> Invitation:
    try:
        data = signing.TimestampSigner(salt=INVITATION_SALT).unsign_object(
            token, max_age=INVITATION_MAX_AGE
        )
        unit = OrgUnit.objects.get(
            pk=data["unit"], kind=UnitKind.GRASSROOTS, active_to__isnull=True
        )
        officer = User.objects.get(pk=data["by"], is_active=True)
    except (signing.BadSignature, KeyError, TypeError, OrgUnit.DoesNotExist, User.DoesNotExist):
        raise ValidationError(_(MSG_INVITATION_INVALID)) from None
    # The inviter must still manage the unit: a withdrawn officer's links stop working.
    if not managed_scope(officer).contains(unit):
        raise ValidationError(_(MSG_INVITATION_INVALID))
    return Invitation(unit=unit, officer=officer)


# --- member list import -------------------------------------------------------------------

MEMBER_IMPORT_COLUMNS = ("full_name", "date_of_birth", "phone", "email", "unit_code")
MEMBER_IMPORT_MAX_ROWS = 20_000
MSG_IMPORT_MISSING = gettext_noop("Thiếu {column}.")
MSG_IMPORT_NO_CONTACT = gettext_noop("Cần số điện thoại hoặc email.")
MSG_IMPORT_BAD_DATE = gettext_noop("Ngày sinh “{value}” không đúng dạng ngày/tháng/năm.")
MSG_IMPORT_BAD_PHONE = gettext_noop("Số điện thoại “{value}” không hợp lệ.")
MSG_IMPORT_UNIT_OUT_OF_SCOPE = gettext_noop(
    "Không tìm thấy công đoàn cơ sở mã {code} trong phạm vi bạn quản lý."
)
MSG_IMPORT_OTHER_UNIT = gettext_noop("Người này đang là đoàn viên của “{unit}”.")


# Other headers a member list may use for each column (accents and case aside).
MEMBER_IMPORT_ALIASES = {
    "full_name": ("họ và tên", "họ tên"),
    "date_of_birth": ("ngày sinh",),
    "phone": ("số điện thoại", "điện thoại"),
    "email": ("thư điện tử",),
    "unit_code": ("mã đơn vị", "mã công đoàn cơ sở"),
}
# The portal's table reader (XLSX, CSV, JSONL) set to a member list.
member_table = reader_for(MEMBER_IMPORT_ALIASES, max_rows=MEMBER_IMPORT_MAX_ROWS)


def _parse_date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def members_import(
    *,
    viewer,
    rows: Iterable[NumberedRow],
    default_unit: OrgUnit,
    on_progress=None,
    on_checkpoint=None,
    resume: dict | None = None,
) -> ImportReport:
    """Add members from a table's numbered rows (`member_table`, `tabular.numbered`):
    each row is its own transaction, each problem reported.

    `on_progress(phase, rows done)` is called at every row; `on_checkpoint(state)` inside
    each row's transaction, so `state` committed means that row is written. Given back
    as `resume`, the import goes on after that row.
    """
    resume = resume or {}
    report = ImportReport.from_checkpoint(resume.get("report", {}))
    skip_through = resume.get("row", 0)
    scope = managed_scope(viewer)
    total = 0
    for done, (number, row, parse_error) in enumerate(rows):
        total += 1
        if on_progress is not None:
            on_progress("write", done)
        if number <= skip_through:
            continue
        if parse_error:
            report.add(number, "", parse_error)
            continue
        cells = {k: str(v).strip() if not isinstance(v, dt.date) else v for k, v in row.items()}
        errors: list[RowError] = []
        full_name = cells.get("full_name") or ""
        if not full_name:
            errors.append(
                RowError(number, "full_name", _(MSG_IMPORT_MISSING).format(column="full_name"))
            )
        phone = normalize_phone(str(cells.get("phone", "")))
        email = str(cells.get("email", "")).strip().lower()
        if cells.get("phone") and not (9 <= len(phone) <= 11):
            errors.append(
                RowError(number, "phone", _(MSG_IMPORT_BAD_PHONE).format(value=cells["phone"]))
            )
        if not phone and not email:
            errors.append(RowError(number, "phone", _(MSG_IMPORT_NO_CONTACT)))
        birth = None
        if cells.get("date_of_birth"):
            try:
                birth = _parse_date(cells["date_of_birth"])
            except ValueError:
                errors.append(
                    RowError(
                        number,
                        "date_of_birth",
                        _(MSG_IMPORT_BAD_DATE).format(value=cells["date_of_birth"]),
                    )
                )
        unit = default_unit
        code = str(cells.get("unit_code", "")).strip()
        if code:
            unit = scope.units().filter(code=code, kind=UnitKind.GRASSROOTS).first()
            if unit is None:
                errors.append(
                    RowError(number, "unit_code", _(MSG_IMPORT_UNIT_OUT_OF_SCOPE).format(code=code))
                )
        if errors:
            for error in errors:
                report.add(error.row, error.field, error.message)
            continue
        try:
            with transaction.atomic():
                person = None
                if email:
                    person = User.objects.filter(email__iexact=email).first()
                if person is None and phone:
                    person = User.objects.filter(phone=phone).first()
                if person is None:
                    person = User.objects.create_user(
                        email=email or None,
                        phone=phone or None,
                        password=None,
                        full_name=full_name,
                        date_of_birth=birth,
                    )
                    report.created += 1
                membership = membership_request(
                    user=person, unit=unit, source=Membership.Source.IMPORT, confirmed_by=viewer
                )
                if membership.status == Membership.Status.CONFIRMED:
                    report.confirmed += 1
                if on_checkpoint is not None:
                    on_checkpoint({"row": number, "report": report.checkpoint_dict()})
        except ValidationError as exc:
            for message in exc.messages:
                report.add(number, "", message)
    report.total = total
    return report.finish()
