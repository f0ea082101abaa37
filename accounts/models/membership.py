"""Who belongs to which grassroots union, since when; who granted which role; sessions."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models.accounts import Role
from federation.models import OrgUnit


class Membership(models.Model):
    """A person's membership of one grassroots union, with its dates.

    At most one membership per person is open (pending or confirmed): a worker who
    changes workplace ends the old one and starts a new one. While confirmed, the
    person also holds the member role at the unit (what the tenancy gate reads).
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Chờ xác nhận")
        CONFIRMED = "confirmed", _("Đã xác nhận")
        REFUSED = "refused", _("Bị từ chối")
        ENDED = "ended", _("Đã kết thúc")

    class Source(models.TextChoices):
        REGISTRATION = "registration", _("Tự đăng ký")
        INVITATION = "invitation", _("Lời mời của cán bộ")
        IMPORT = "import", _("Nhập danh sách")
        TRANSFER = "transfer", _("Chuyển nơi làm việc")
        MERGE = "merge", _("Hợp nhất đơn vị")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="memberships")
    status = models.CharField(
        _("trạng thái"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    source = models.CharField(
        _("nguồn"), max_length=16, choices=Source.choices, default=Source.REGISTRATION
    )
    joined_on = models.DateField(_("ngày vào"), null=True, blank=True)
    left_on = models.DateField(_("ngày rời"), null=True, blank=True)
    requested_at = models.DateTimeField(_("ngày đăng ký"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người quyết định"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("ngày quyết định"), null=True, blank=True)

    class Meta:
        verbose_name = _("tư cách đoàn viên")
        verbose_name_plural = _("tư cách đoàn viên")
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(status__in=["pending", "confirmed"]),
                name="membership_one_open_per_user",
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True)
                | Q(joined_on__isnull=True)
                | Q(left_on__gte=models.F("joined_on")),
                name="membership_dates_ordered",
            ),
        ]
        indexes = [models.Index(fields=["unit", "status"])]

    def __str__(self) -> str:
        return f"{self.user} · {self.unit} · {self.get_status_display()}"


class RoleGrantLog(models.Model):
    """Every role granted or withdrawn, by whom and when (also moves after a merge)."""

    class Action(models.TextChoices):
        GRANT = "grant", _("Giao vai trò")
        WITHDRAW = "withdraw", _("Thu hồi vai trò")
        MERGE_MOVE = "merge_move", _("Chuyển theo hợp nhất đơn vị")

    action = models.CharField(_("thao tác"), max_length=12, choices=Action.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_log"
    )
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("vai trò"), max_length=24, choices=Role.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    previous_unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("thời điểm"), default=timezone.now)
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("nhật ký giao vai trò")
        verbose_name_plural = _("nhật ký giao vai trò")
        indexes = [models.Index(fields=["unit", "at"])]

    def __str__(self) -> str:
        return f"{self.get_action_display()} · {self.user} · {self.role} · {self.unit}"


class UserSession(models.Model):
    """A signed-in session, so its owner can see where they are signed in and end it."""

    session_key = models.CharField(max_length=40, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="signed_in_sessions"
    )
    ip_address = models.GenericIPAddressField(_("địa chỉ IP"), null=True, blank=True)
    user_agent = models.CharField(_("trình duyệt"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("đăng nhập lúc"), default=timezone.now)
    last_seen = models.DateTimeField(_("hoạt động gần nhất"), default=timezone.now)

    class Meta:
        verbose_name = _("phiên đăng nhập")
        verbose_name_plural = _("phiên đăng nhập")

    def __str__(self) -> str:
        return f"{self.user} · {self.user_agent[:40]}"
