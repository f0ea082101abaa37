"""Initiatives (sáng kiến) as Decree 13/2012/NĐ-CP describes them, and their workflow.

The workflow is a state machine (django-fsm-2). Transitions are declared here so
that only allowed moves can happen; services in `initiatives.services` call them,
record an `InitiativeEvent` (who, when, why) and save inside a transaction.
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition
from simple_history.models import HistoricalRecords

from federation.models import OrgUnit


class Status(models.TextChoices):
    DRAFT = "draft", _("Bản nháp")
    SUBMITTED = "submitted", _("Đã nộp")
    CHECKING = "checking", _("Đang kiểm tra")
    VALID = "valid", _("Hợp lệ")
    FLAGGED = "flagged", _("Cần xem xét")
    APPROVED = "approved", _("Đã phê duyệt")
    REJECTED = "rejected", _("Từ chối")
    RETURNED = "returned", _("Trả lại để sửa")
    RECOGNISED = "recognised", _("Được công nhận")


# Everything that has been handed in counts as submitted for rankings and the archive.
NON_DRAFT = [s.value for s in Status if s != Status.DRAFT]
# Valid for the programme: passed the checks or approved by a reviewer.
COUNTED_VALID = [Status.VALID.value, Status.APPROVED.value, Status.RECOGNISED.value]
# What a reviewer may decide on.
DECIDABLE = [Status.FLAGGED.value, Status.VALID.value]
EDITABLE = [Status.DRAFT.value, Status.RETURNED.value]


class ParticipantGroup(models.TextChoices):
    PUBLIC_SERVICE = "public_service", _("Viên chức, người lao động đơn vị sự nghiệp")
    PROJECTS = "projects", _("Người lao động thực hiện công trình, đề tài, chế tạo máy")
    OFFICIALS = "officials", _("Cán bộ, công chức cơ quan Đảng, Nhà nước, Mặt trận, đoàn thể")
    ENTERPRISE = "enterprise", _("Công nhân, lao động trong doanh nghiệp")


class RecognitionLevel(models.TextChoices):
    """Who recognised the initiative (the level of the recognition decision)."""

    GRASSROOTS = "grassroots", _("Cơ sở")
    UPPER = "upper", _("Công đoàn cấp trên trực tiếp cơ sở")
    TOP = "top", _("Tỉnh, thành, ngành, tổng công ty")
    NATIONAL = "national", _("Toàn quốc")


class Field(models.Model):
    """Field of application (lĩnh vực), managed by admins."""

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên lĩnh vực"), max_length=150, unique=True)
    is_active = models.BooleanField(_("đang dùng"), default=True)

    class Meta:
        verbose_name = _("lĩnh vực")
        verbose_name_plural = _("lĩnh vực")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Initiative(models.Model):
    # --- what it is
    title = models.CharField(_("tên sáng kiến"), max_length=500)
    summary = models.TextField(
        _("tóm tắt hiệu quả"),
        blank=True,
        help_text=_("Vài câu về hiệu quả. Với sáng kiến mật, chỉ phần này được công bố."),
    )
    field = models.ForeignKey(
        Field, verbose_name=_("lĩnh vực"), on_delete=models.PROTECT, null=True, blank=True
    )
    investor = models.CharField(_("chủ đầu tư tạo ra sáng kiến"), max_length=255, blank=True)
    problem = models.TextField(_("vấn đề cần giải quyết"), blank=True)
    description = models.TextField(_("mô tả bản chất của sáng kiến"), blank=True)
    prior_solution = models.TextField(_("giải pháp đã biết trước đây"), blank=True)
    improvements = models.TextField(_("điểm mới, cải tiến so với trước"), blank=True)
    application_scope = models.TextField(_("phạm vi có thể áp dụng"), blank=True)
    conditions = models.TextField(_("điều kiện cần thiết để áp dụng"), blank=True)
    confidential_info = models.TextField(_("thông tin cần bảo mật"), blank=True)
    first_applied_on = models.DateField(_("ngày áp dụng lần đầu"), null=True, blank=True)
    first_applied_by = models.CharField(
        _("tổ chức, cá nhân áp dụng lần đầu"), max_length=255, blank=True
    )
    benefit_vnd = models.DecimalField(
        _("giá trị làm lợi dự kiến (đồng)"),
        max_digits=18,
        decimal_places=0,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))],
        help_text=_("Theo đánh giá của tác giả."),
    )
    benefit_text = models.TextField(_("lợi ích theo đánh giá của tác giả"), blank=True)
    applied_benefit_vnd = models.DecimalField(
        _("giá trị làm lợi theo đơn vị áp dụng (đồng)"),
        max_digits=18,
        decimal_places=0,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    applied_benefit_text = models.TextField(
        _("lợi ích theo đánh giá của đơn vị áp dụng"), blank=True
    )
    participant_group = models.CharField(
        _("nhóm đối tượng"), max_length=24, choices=ParticipantGroup.choices
    )
    is_confidential = models.BooleanField(
        _("bí mật công nghệ"),
        default=False,
        help_text=_("Chỉ tên, tóm tắt hiệu quả và giải thưởng được công bố."),
    )
    award = models.CharField(_("giải thưởng"), max_length=255, blank=True)
    # The recognition decision (quyết định công nhận), recorded by the unit's officers.
    recognition_number = models.CharField(_("số quyết định công nhận"), max_length=64, blank=True)
    recognition_date = models.DateField(_("ngày quyết định công nhận"), null=True, blank=True)
    recognition_level = models.CharField(
        _("cấp công nhận"), max_length=16, choices=RecognitionLevel.choices, blank=True
    )

    # --- where it belongs and who entered it
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("công đoàn cơ sở"),
        on_delete=models.PROTECT,
        related_name="initiatives",
    )
    top_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("đơn vị trực thuộc Tổng LĐLĐ khi nộp"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text=_("Giữ nguyên sau sáp nhập: báo cáo theo đơn vị tại thời điểm nộp."),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tác giả có tài khoản"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="initiatives",
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người nhập"),
        on_delete=models.PROTECT,
        related_name="entered_initiatives",
    )
    external_id = models.CharField(_("mã ngoài"), max_length=64, null=True, blank=True, unique=True)

    # --- workflow
    status = FSMField(
        _("trạng thái"), default=Status.DRAFT, choices=Status.choices, protected=False
    )
    submitted_at = models.DateTimeField(_("ngày nộp"), null=True, blank=True, db_index=True)
    decided_at = models.DateTimeField(_("ngày quyết định"), null=True, blank=True)
    review_note = models.TextField(_("ý kiến người duyệt"), blank=True)
    # A reviewer's claim, so two reviewers do not work on the same item; it expires.
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người đang xử lý"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    claimed_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Accent-folded title and summary, for accent-insensitive search.
    search_text = models.TextField(editable=False, blank=True)
    # One initiative however often "submit" is clicked: the form carries this token.
    client_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    # Kept by the similarity check, so the review queue sorts by risk without joins.
    copied_share = models.FloatField(_("tỷ lệ nội dung trùng"), null=True, blank=True)
    copied_source_count = models.PositiveSmallIntegerField(_("số nguồn trùng"), default=0)

    history = HistoricalRecords(
        excluded_fields=[
            "search_text",
            "client_token",
            "copied_share",
            "copied_source_count",
            "claimed_by",
            "claimed_until",
        ]
    )

    class Meta:
        verbose_name = _("sáng kiến")
        verbose_name_plural = _("sáng kiến")
        constraints = [
            models.CheckConstraint(
                condition=Q(benefit_vnd__gte=0), name="initiative_benefit_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False),
                name="initiative_submitted_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "status"]),
            models.Index(fields=["status", "submitted_at"]),
            models.Index(fields=["top_unit", "status"]),
        ]

    def __str__(self) -> str:
        return self.title

    # --- transitions: services call these, never views
    @transition(field=status, source=Status.DRAFT, target=Status.SUBMITTED)
    def submit(self) -> None:
        pass

    @transition(field=status, source=Status.RETURNED, target=Status.SUBMITTED)
    def resubmit(self) -> None:
        pass

    @transition(field=status, source=[Status.SUBMITTED, Status.CHECKING], target=Status.CHECKING)
    def start_check(self) -> None:
        pass

    @transition(field=status, source=Status.CHECKING, target=Status.VALID)
    def pass_check(self) -> None:
        pass

    @transition(field=status, source=Status.CHECKING, target=Status.FLAGGED)
    def flag(self) -> None:
        pass

    @transition(field=status, source=DECIDABLE, target=Status.APPROVED)
    def approve(self) -> None:
        pass

    @transition(field=status, source=DECIDABLE, target=Status.REJECTED)
    def reject(self) -> None:
        pass

    @transition(field=status, source=DECIDABLE, target=Status.RETURNED)
    def return_for_revision(self) -> None:
        pass

    @transition(field=status, source=[Status.VALID, Status.APPROVED], target=Status.RECOGNISED)
    def recognise(self) -> None:
        pass

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE


class InitiativeAuthor(models.Model):
    """An author, with or without an account. Shares of contribution add up to 100%."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="authors")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    full_name = models.CharField(_("họ và tên"), max_length=150)
    # A person's id in an imported archive (JSONL `author_id`): the same person across initiatives.
    external_person_id = models.CharField(
        _("mã tác giả ngoài"), max_length=64, blank=True, db_index=True
    )
    date_of_birth = models.DateField(_("ngày sinh"), null=True, blank=True)
    workplace = models.CharField(_("nơi công tác"), max_length=255, blank=True)
    job_title = models.CharField(_("chức danh"), max_length=150, blank=True)
    qualification = models.CharField(_("trình độ chuyên môn"), max_length=150, blank=True)
    contribution_percent = models.DecimalField(
        _("tỷ lệ đóng góp (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal(100))],
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("tác giả")
        verbose_name_plural = _("tác giả")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(contribution_percent__gt=0) & Q(contribution_percent__lte=100),
                name="author_contribution_in_range",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name


class InitiativeEvent(models.Model):
    """One workflow transition: who moved the initiative from which state to which, and why."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="events")
    transition = models.CharField(max_length=32)
    from_status = models.CharField(max_length=16, choices=Status.choices)
    to_status = models.CharField(max_length=16, choices=Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(_("lý do"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("lịch sử xử lý")
        verbose_name_plural = _("lịch sử xử lý")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.initiative_id}: {self.from_status} → {self.to_status}"


def attachment_path(attachment: "Attachment", filename: str) -> str:
    # Never trust the uploaded name in the path: a random name keeps the extension we checked.
    return f"attachments/{attachment.initiative_id}/{uuid.uuid4().hex}.{attachment.extension}"


class Attachment(models.Model):
    """A PDF, DOCX, XLSX, JPEG or PNG attached to an initiative; type checked by content."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("tệp"), upload_to=attachment_path)
    original_name = models.CharField(_("tên tệp"), max_length=255)
    extension = models.CharField(max_length=8)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("dung lượng (byte)"))

    class TextStatus(models.TextChoices):
        PENDING = "pending", _("đang trích văn bản")
        DONE = "done", _("đã trích văn bản")
        NONE = "none", _("không có văn bản (ảnh)")
        NOT_EXTRACTED = "not_extracted", _("không trích được văn bản")

    class TextProblem(models.TextChoices):
        NONE = "", ""
        ZIP_ENTRIES = "zip_entries", _("tệp nén chứa quá nhiều thành phần")
        ZIP_INFLATED = "zip_inflated", _("tệp giải nén ra quá lớn")
        PDF_PAGES = "pdf_pages", _("PDF quá nhiều trang")
        TIMEOUT = "timeout", _("trích văn bản quá lâu")
        RESOURCES = "resources", _("trích văn bản tốn quá nhiều bộ nhớ hoặc thời gian xử lý")
        UNREADABLE = "unreadable", _("tệp hỏng hoặc không đọc được")

    extracted_text = models.TextField(
        blank=True,
        help_text=_("Văn bản trích từ PDF/DOCX/XLSX hoặc nhận dạng từ ảnh để kiểm tra trùng lặp."),
    )
    # [[start, end], ...] of extracted_text read by OCR (scanned pages, images):
    # the reviewer is told when a copied passage rests on recognised text.
    ocr_spans = models.JSONField(default=list, blank=True)
    # Extracted by a Celery task after the upload, under hard limits; a file over a
    # limit is kept and marked, and its author and reviewers see why.
    text_status = models.CharField(
        _("trích văn bản"), max_length=16, choices=TextStatus.choices, default=TextStatus.DONE
    )
    text_problem = models.CharField(
        max_length=16, choices=TextProblem.choices, blank=True, default=""
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tệp đính kèm")
        verbose_name_plural = _("tệp đính kèm")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.original_name
