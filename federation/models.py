"""The union hierarchy: a tree of units of any depth, and how it changes over time.

The tree (django-mptt) is always *today's* tree. Its history lives beside it:
`UnitPlacement` records which parent a unit had over which dates, and
`ReorgEvent` records each merge, move, rename and closure with its effective
date. Initiatives stay attached to the unit they were submitted under, so a
report can roll them up by the tree as it stood on any date or by today's tree.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from mptt.models import MPTTModel, TreeForeignKey

from core.text import fold_accents, normalize_vietnamese


class UnitKind(models.TextChoices):
    NATIONAL = "national", _("Tổng Liên đoàn")
    PROVINCE = "province", _("LĐLĐ tỉnh, thành phố")
    SECTOR = "sector", _("Công đoàn ngành trung ương")
    CORPORATION = "corporation", _("Công đoàn tổng công ty")
    UPPER = "upper", _("Công đoàn cấp trên trực tiếp cơ sở")
    GRASSROOTS = "grassroots", _("Công đoàn cơ sở")


# Units directly under the confederation: they review flagged items and are ranked.
TOP_LEVEL_KINDS = (UnitKind.PROVINCE, UnitKind.SECTOR, UnitKind.CORPORATION)


class OrgUnit(MPTTModel):
    code = models.CharField(_("mã"), max_length=32, unique=True)
    name = models.CharField(_("tên"), max_length=255)
    short_name = models.CharField(_("tên ngắn"), max_length=120, blank=True)
    # Name and short name without accents, lower case: "cong doan co so cong ty thuy san"
    # finds "Công đoàn cơ sở Công ty … Thủy sản …" on SQLite and PostgreSQL alike.
    search_name = models.CharField(max_length=400, blank=True, editable=False, db_index=False)
    kind = models.CharField(_("loại"), max_length=16, choices=UnitKind.choices)
    parent = TreeForeignKey(
        "self",
        verbose_name=_("đơn vị cấp trên"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    member_count = models.PositiveIntegerField(_("số đoàn viên"), default=0)
    official_code = models.CharField(
        _("mã hành chính"),
        max_length=8,
        blank=True,
        help_text=_("Mã tỉnh theo danh mục hành chính."),
    )
    active_from = models.DateField(_("hoạt động từ"), null=True, blank=True)
    active_to = models.DateField(_("hoạt động đến"), null=True, blank=True)
    review_everything = models.BooleanField(
        _("duyệt mọi sáng kiến"),
        default=False,
        help_text=_("Mặc định chỉ duyệt sáng kiến bị gắn cờ; bật để duyệt cả sáng kiến hợp lệ."),
    )
    review_time_limit_days = models.PositiveSmallIntegerField(_("thời hạn duyệt (ngày)"), default=7)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("hợp nhất vào"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_units",
    )

    class MPTTMeta:
        order_insertion_by = ["code"]

    class Meta:
        verbose_name = _("đơn vị công đoàn")
        verbose_name_plural = _("đơn vị công đoàn")
        constraints = [
            models.CheckConstraint(
                condition=Q(active_to__isnull=True)
                | Q(active_from__isnull=True)
                | Q(active_to__gte=models.F("active_from")),
                name="orgunit_active_dates_ordered",
            ),
            models.CheckConstraint(
                condition=~Q(kind="national") | Q(parent__isnull=True),
                name="orgunit_national_is_root",
            ),
        ]
        indexes = [models.Index(fields=["kind", "active_to"])]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.search_name = fold_accents(normalize_vietnamese(f"{self.name} {self.short_name}"))[
            :400
        ].strip()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"name", "short_name"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "search_name"}
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    def is_active_on(self, day) -> bool:
        return (self.active_from is None or self.active_from <= day) and (
            self.active_to is None or day <= self.active_to
        )


class UnitPlacement(models.Model):
    """Which parent a unit had from `valid_from` until the day before `valid_to`."""

    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="placements")
    parent = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("vị trí trong cây")
        verbose_name_plural = _("vị trí trong cây")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gt=models.F("valid_from")),
                name="unitplacement_dates_ordered",
            ),
            models.UniqueConstraint(
                fields=["unit"],
                condition=Q(valid_to__isnull=True),
                name="unitplacement_one_open_per_unit",
            ),
        ]
        indexes = [models.Index(fields=["valid_from", "valid_to"])]

    def __str__(self) -> str:
        return f"{self.unit} ⊂ {self.parent} [{self.valid_from} – {self.valid_to}]"


class ReorgEvent(models.Model):
    class Kind(models.TextChoices):
        CREATE = "create", _("Thành lập")
        MERGE = "merge", _("Hợp nhất")
        MOVE = "move", _("Chuyển cấp trên")
        RENAME = "rename", _("Đổi tên")
        CLOSE = "close", _("Giải thể")

    kind = models.CharField(_("loại"), max_length=16, choices=Kind.choices)
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="reorg_events"
    )
    target = models.ForeignKey(
        OrgUnit,
        verbose_name=_("đơn vị đích"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Đơn vị tiếp nhận (hợp nhất) hoặc cấp trên mới (chuyển)."),
    )
    previous_parent = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    previous_name = models.CharField(max_length=255, blank=True)
    new_name = models.CharField(max_length=255, blank=True)
    effective_date = models.DateField(_("ngày hiệu lực"))
    note = models.TextField(_("ghi chú"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("sự kiện sắp xếp tổ chức")
        verbose_name_plural = _("sự kiện sắp xếp tổ chức")
        ordering = ["-effective_date", "-id"]
        indexes = [models.Index(fields=["effective_date"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.unit} ({self.effective_date:%d/%m/%Y})"


class EmulationGroup(models.Model):
    """A cụm thi đua (provinces) or khối thi đua (sector and corporation unions)."""

    class Kind(models.TextChoices):
        CLUSTER = "cluster", _("Cụm thi đua")
        BLOCK = "block", _("Khối thi đua")

    code = models.CharField(_("mã"), max_length=32, unique=True)
    name = models.CharField(_("tên"), max_length=255)
    kind = models.CharField(_("loại"), max_length=16, choices=Kind.choices)

    class Meta:
        verbose_name = _("cụm, khối thi đua")
        verbose_name_plural = _("cụm, khối thi đua")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class EmulationGroupName(models.Model):
    """A group's name in one year. "Cụm thi đua 12 tỉnh, thành phố Đồng bằng sông Cửu
    Long" has fewer members after the 2025 merger: a year keeps the name it had."""

    group = models.ForeignKey(EmulationGroup, on_delete=models.CASCADE, related_name="names")
    year = models.PositiveSmallIntegerField(_("năm"))
    name = models.CharField(_("tên"), max_length=255)

    class Meta:
        verbose_name = _("tên cụm, khối theo năm")
        verbose_name_plural = _("tên cụm, khối theo năm")
        constraints = [
            models.UniqueConstraint(fields=["group", "year"], name="emulation_group_name_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.name}"


class EmulationMembership(models.Model):
    group = models.ForeignKey(EmulationGroup, on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.CASCADE, related_name="emulation_memberships"
    )
    year = models.PositiveSmallIntegerField(_("năm"))

    class Meta:
        verbose_name = _("thành viên cụm, khối")
        verbose_name_plural = _("thành viên cụm, khối")
        constraints = [
            # A unit competes in one cluster or block a year.
            models.UniqueConstraint(
                fields=["unit", "year"], name="emulation_one_group_per_unit_year"
            ),
        ]
        indexes = [models.Index(fields=["group", "year"])]

    def __str__(self) -> str:
        return f"{self.unit} · {self.group} ({self.year})"
