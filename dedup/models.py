"""The Django side of the similarity check: what was checked and what it matched.

The engine (`dedup.engine`, no Django) owns the shared archive index; these
tables keep each check's result for reviewers. Passage offsets refer to
`SimilarityCheck.checked_text` (the body with its attachments' text, exactly as
checked) and to the source's indexed text.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from initiatives.models import Initiative

# Mirrors of dedup.engine.model's constants, so that web code reading matches
# need not import the engine (numpy, scikit-learn); a test keeps them equal.
QUOTATION_KINDS = frozenset({"law", "form"})
TYPED_NAME_KEY_PREFIX = "name:"


class SimilarityCheck(models.Model):
    class State(models.TextChoices):
        RUNNING = "running", _("Đang kiểm tra")
        DONE = "done", _("Xong")
        FAILED = "failed", _("Lỗi")

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="similarity_checks"
    )
    state = models.CharField(max_length=16, choices=State.choices, default=State.RUNNING)
    checked_text = models.TextField(blank=True)
    flagged = models.BooleanField(null=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    settings_used = models.JSONField(default=dict, blank=True)

    class WebState(models.TextChoices):
        OFF = "off", _("Không kiểm tra Internet: chưa cấu hình máy tìm kiếm")
        PENDING = "pending", _("Đang kiểm tra Internet")
        DONE = "done", _("Đã kiểm tra Internet")
        NOT_DONE = "not_done", _("Chưa kiểm tra được Internet: chỉ có kết quả đối chiếu kho")

    # The web-copy check runs after the archive check, on its own queue: its state,
    # how many search queries and downloads it spent, and why it gave up if it did.
    web_state = models.CharField(max_length=16, choices=WebState.choices, default=WebState.OFF)
    web_queries = models.PositiveSmallIntegerField(default=0)
    web_downloads = models.PositiveSmallIntegerField(default=0)
    web_error = models.TextField(blank=True)
    web_finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("lượt kiểm tra trùng lặp")
        verbose_name_plural = _("lượt kiểm tra trùng lặp")
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["initiative", "-started_at"])]

    def __str__(self) -> str:
        return f"{self.initiative_id} @ {self.started_at:%Y-%m-%d %H:%M}"


class SimilarityMatch(models.Model):
    class SourceKind(models.TextChoices):
        INITIATIVE = "initiative", _("Kho sáng kiến")
        WEB = "web", _("Internet")
        REFERENCE = "reference", _("Tài liệu tham khảo")
        LAW = "law", _("Văn bản pháp luật (trích dẫn)")
        FORM = "form", _("Mẫu văn bản (trích dẫn)")

    similarity_check = models.ForeignKey(
        SimilarityCheck, on_delete=models.CASCADE, related_name="matches"
    )
    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="similarity_matches"
    )
    source_id = models.CharField(
        max_length=80, help_text=_("Mã nguồn trong chỉ mục, ví dụ initiative:42.")
    )
    source_kind = models.CharField(max_length=16, choices=SourceKind.choices)
    source_initiative = models.ForeignKey(
        Initiative, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    source_url = models.URLField(max_length=1000, blank=True)
    source_title = models.CharField(max_length=500, blank=True)
    # When the web page (or reference file) was fetched: the text shown is that day's.
    source_fetched_at = models.DateTimeField(null=True, blank=True)
    same_author = models.BooleanField(_("tác phẩm trước của chính tác giả"), default=False)
    author_name_warning = models.BooleanField(
        _("đồng tác giả khai trùng tên tác giả của nguồn"),
        default=False,
        help_text=_("Tên gõ tay không chứng minh cùng một người: người duyệt cần xem lại."),
    )
    confidential = models.BooleanField(_("nguồn là sáng kiến mật"), default=False)
    flagged = models.BooleanField(default=False)
    coverage = models.FloatField(_("tỷ lệ văn bản bị trùng"))
    score = models.FloatField(_("độ tương đồng TF-IDF"))
    passages = models.JSONField(
        default=list, help_text=_("[{start, end, source_start, source_end}]")
    )
    # The source's text as the index held it at the check: what source_start
    # and source_end index, whether the source was indexed by a check or a rebuild.
    source_text = models.TextField(blank=True)

    class Meta:
        verbose_name = _("nguồn trùng lặp")
        verbose_name_plural = _("nguồn trùng lặp")
        ordering = ["-coverage", "-score"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(coverage__gte=0) & models.Q(coverage__lte=1),
                name="match_coverage_is_share",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.initiative_id} ~ {self.source_id} ({self.coverage:.0%})"


class ReferenceText(models.Model):
    """A text many initiatives quote on purpose: a law, a decree, the legal form.

    Indexed as a source of kind `law` or `form` (added with the management command
    `add_reference_sources`, kept across index rebuilds): a match with it is shown as
    a quotation, never as copying, and the quoted sentences count against no one.
    """

    class Kind(models.TextChoices):
        LAW = "law", _("Văn bản pháp luật")
        FORM = "form", _("Mẫu văn bản")

    kind = models.CharField(max_length=8, choices=Kind.choices)
    title = models.CharField(_("tên văn bản"), max_length=500, unique=True)
    text = models.TextField()
    added_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("văn bản được trích dẫn")
        verbose_name_plural = _("văn bản được trích dẫn")
        ordering = ["kind", "title"]

    def __str__(self) -> str:
        return self.title

    @property
    def source_id(self) -> str:
        return f"{self.kind}:{self.pk}"


class WebSource(models.Model):
    """A page of the Internet (kind `web`) or a known source an operator loaded (kind
    `reference`: "sample initiative" sites, handbooks), kept with the text that was
    indexed, so that the next copy of it is found by the archive lookup itself.

    Indexed as a source of kind `web`/`reference` (kept across index rebuilds): a match
    with it is copying like a match with an initiative, shown with its address, title
    and fetch date.
    """

    class Kind(models.TextChoices):
        WEB = "web", _("Trang web")
        REFERENCE = "reference", _("Tài liệu tham khảo")

    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.WEB)
    # An http(s) URL; a reference loaded from a file without one: "file:<name>".
    address = models.CharField(_("địa chỉ"), max_length=1000, unique=True)
    title = models.CharField(_("tiêu đề"), max_length=500, blank=True)
    text = models.TextField()
    content_type = models.CharField(max_length=100, blank=True)
    fetched_at = models.DateTimeField(_("ngày tải"))

    class Meta:
        verbose_name = _("nguồn Internet")
        verbose_name_plural = _("nguồn Internet")
        ordering = ["-fetched_at", "-id"]

    def __str__(self) -> str:
        return self.title or self.address

    @property
    def source_id(self) -> str:
        return f"{self.kind}:{self.pk}"

    @property
    def url(self) -> str:
        """The address if it is a web address (a link can be made of it), else ""."""
        return self.address if self.address.lower().startswith(("http://", "https://")) else ""
