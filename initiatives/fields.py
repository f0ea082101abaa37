"""The sections of an initiative, declared once.

Decree 13/2012/NĐ-CP (Điều 3, 4, 5) and Circular 18/2013/TT-BKHCN say what an
initiative's application holds. Each `Section` below is one of those parts: the
model field it is stored in, the inline help, the form step it sits on, whether it
is needed before handing in, whether its text is checked for copying, who may read
it, and its column in the import template and the export.

The form's steps (`initiatives.forms`), the API's serializers, the admin, the
import (`initiatives.importing`), the export (`initiatives.exporting`), the
similarity check's text (`initiatives.services.TEXT_FIELDS`) and the review's
revision diff are all derived from `SECTIONS`: adding a section here adds it
everywhere. The label is the model field's `verbose_name` (one place for it too).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy, gettext_noop

# Who may read a section of a confidential initiative (Decree 13/2012, Điều 4: a
# technology secret publishes its name, summary of effect and award only).
PUBLIC = "public"  # shown to everyone, confidential or not
FACT = "fact"  # a workflow fact (unit, field, group), never secret
BODY = "body"  # hidden when the viewer may not read a confidential initiative's text

KIND_TEXT = "text"
KIND_MONEY = "money"
KIND_DATE = "date"
KIND_FLAG = "flag"
KIND_CHOICE = "choice"
KIND_RELATION = "relation"  # the unit and the field of application: looked up by code

STEP_TITLES = {
    1: gettext_lazy("Sáng kiến"),
    2: gettext_lazy("Nội dung"),
    3: gettext_lazy("Áp dụng và hiệu quả"),
    4: gettext_lazy("Tác giả và tệp"),
    5: gettext_lazy("Kiểm tra và nộp"),
}


@dataclass(frozen=True)
class Section:
    name: str
    step: int
    help: str
    # The column header in the import template and the export (short; gettext_noop).
    header: str
    # The template's guide sheet: what to write in the column.
    guide: str = ""
    required_to_submit: bool = False
    # Text checked for copying by the similarity check (and compared on re-import).
    checked: bool = False
    visibility: str = BODY
    # Shown in the review's "changed since returned" diff.
    diffed: bool = False
    # The import/export column when it is not `name`.
    column: str = ""
    # In the import template and the export (an import reads the column either way).
    exported: bool = True
    # Other headers an import accepts for the column (English names, gettext_noop headers).
    aliases: tuple[str, ...] = ()
    # The template's example row.
    example: object = ""

    @property
    def column_name(self) -> str:
        return self.column or self.name

    @property
    def model_field(self):
        from initiatives.models import Initiative

        return Initiative._meta.get_field(self.name)

    @property
    def label(self) -> str:
        return self.model_field.verbose_name

    @property
    def kind(self) -> str:
        """How a cell, an API value or an export reads it: one of the `KIND_` names."""
        from django.db import models

        model_field = self.model_field
        if model_field.is_relation:
            return KIND_RELATION
        if model_field.choices:
            return KIND_CHOICE
        if isinstance(model_field, models.DecimalField):
            return KIND_MONEY
        if isinstance(model_field, models.DateField):
            return KIND_DATE
        if isinstance(model_field, models.BooleanField):
            return KIND_FLAG
        return KIND_TEXT


SECTIONS: tuple[Section, ...] = (
    # --- step 1: what it is
    Section(
        "title",
        1,
        gettext_lazy("Tên phản ánh giải pháp, ví dụ “Cải tiến hệ thống cấp đông tôm IQF”."),
        gettext_noop("Tên sáng kiến"),
        "Tên sáng kiến (bắt buộc).",
        checked=True,
        visibility=PUBLIC,
        diffed=True,
        example="Cải tiến dây chuyền cấp đông tôm",
    ),
    Section(
        "field",
        1,
        gettext_lazy("Lĩnh vực mà sáng kiến được áp dụng."),
        gettext_noop("Lĩnh vực"),
        "Lĩnh vực (tên hoặc mã).",
        required_to_submit=True,
        visibility=FACT,
    ),
    Section(
        "participant_group",
        1,
        gettext_lazy("Nhóm đối tượng của tác giả chính, để thống kê riêng."),
        gettext_noop("Nhóm đối tượng"),
        "Nhóm đối tượng: {groups}.",
        visibility=FACT,
        example="enterprise",
    ),
    Section(
        "unit",
        1,
        gettext_lazy("Công đoàn cơ sở nơi sáng kiến được công nhận và áp dụng."),
        gettext_noop("Mã đơn vị"),
        "Mã công đoàn cơ sở (bắt buộc).",
        visibility=FACT,
        column="unit_code",
    ),
    # --- step 2: the content (Điều 3)
    Section(
        "problem",
        2,
        gettext_lazy("Tình trạng, khó khăn cần giải quyết ở nơi làm việc trước khi có sáng kiến."),
        gettext_noop("Vấn đề cần giải quyết"),
        "Vấn đề cần giải quyết.",
        required_to_submit=True,
        checked=True,
        diffed=True,
        example="Máy nén chạy hết công suất cả khi tải thấp, tốn điện.",
    ),
    Section(
        "description",
        2,
        gettext_lazy(
            "Bản chất của giải pháp: các bước thực hiện, cách làm; có thể kèm bản vẽ, ảnh chụp."
        ),
        gettext_noop("Nội dung"),
        "Mô tả bản chất của sáng kiến (bắt buộc).",
        required_to_submit=True,
        checked=True,
        diffed=True,
        column="content",
        aliases=("description", gettext_noop("Mô tả")),
        example="Lắp biến tần cho máy nén của tủ cấp đông, điều chỉnh theo nhiệt độ.",
    ),
    Section(
        "prior_solution",
        2,
        gettext_lazy("Với sáng kiến cải tiến: giải pháp đã biết trước đây và nhược điểm của nó."),
        gettext_noop("Giải pháp đã biết"),
        "Giải pháp đã biết trước đây.",
        checked=True,
        diffed=True,
    ),
    Section(
        "improvements",
        2,
        gettext_lazy(
            "Những điểm khác biệt, tính mới so với giải pháp đã biết (Điều 3 Nghị định 13/2012)."
        ),
        gettext_noop("Điểm mới, cải tiến"),
        "Điểm mới, cải tiến so với trước.",
        checked=True,
        diffed=True,
    ),
    Section(
        "application_scope",
        2,
        gettext_lazy("Sáng kiến có thể áp dụng ở những đơn vị, bộ phận, điều kiện nào."),
        gettext_noop("Phạm vi có thể áp dụng"),
        "Phạm vi có thể áp dụng.",
        required_to_submit=True,
        checked=True,
        diffed=True,
        example="Các tủ cấp đông cùng loại trong ngành chế biến thủy sản.",
    ),
    Section(
        "conditions",
        2,
        gettext_lazy("Những điều kiện cần thiết để áp dụng: thiết bị, con người, chi phí."),
        gettext_noop("Điều kiện áp dụng"),
        "Điều kiện cần thiết để áp dụng.",
        checked=True,
        diffed=True,
    ),
    Section(
        "is_confidential",
        2,
        gettext_lazy(
            "Đánh dấu nếu sáng kiến là bí mật công nghệ: chỉ tên, tóm tắt hiệu quả và giải thưởng "
            "được công bố; nội dung chỉ người duyệt, cán bộ công đoàn cấp trên và tác giả được xem."
        ),
        gettext_noop("Bí mật công nghệ"),
        "Bí mật công nghệ: “có” hoặc “không”.",
        visibility=FACT,
        example="không",
    ),
    Section(
        "confidential_info",
        2,
        gettext_lazy("Thông tin cần được bảo mật (nếu có). Không ghi bí mật vào các mục khác."),
        gettext_noop("Thông tin cần bảo mật"),
        # Never written to a spreadsheet: a file travels further than the page.
        exported=False,
    ),
    # --- step 3: application and benefit (Điều 4, 5)
    Section(
        "first_applied_on",
        3,
        gettext_lazy("Ngày sáng kiến được áp dụng lần đầu hoặc áp dụng thử."),
        gettext_noop("Ngày áp dụng lần đầu"),
        "Ngày áp dụng lần đầu (dd/mm/yyyy).",
        required_to_submit=True,
        example="01/03/2025",
    ),
    Section(
        "first_applied_by",
        3,
        gettext_lazy("Tổ chức, cá nhân đã tổ chức áp dụng sáng kiến lần đầu."),
        gettext_noop("Nơi áp dụng lần đầu"),
        "Tổ chức, cá nhân áp dụng lần đầu.",
        diffed=True,
    ),
    Section(
        "summary",
        3,
        gettext_lazy(
            "Vài câu về hiệu quả. Với sáng kiến bí mật, đây là phần duy nhất được công bố cùng tên."
        ),
        gettext_noop("Tóm tắt hiệu quả"),
        "Tóm tắt hiệu quả (với sáng kiến mật, chỉ phần này được công bố).",
        required_to_submit=True,
        checked=True,
        visibility=PUBLIC,
        diffed=True,
        example="Giảm 12% điện năng tiêu thụ.",
    ),
    Section(
        "benefit_vnd",
        3,
        gettext_lazy(
            "Giá trị làm lợi ước tính bằng tiền (đồng) theo đánh giá của tác giả; 0 nếu chưa tính được."
        ),
        gettext_noop("Làm lợi (đồng)"),
        "Giá trị làm lợi dự kiến (đồng).",
        diffed=True,
        example=150000000,
    ),
    Section(
        "benefit_text",
        3,
        gettext_lazy(
            "Lợi ích thu được hoặc dự kiến theo ý kiến của tác giả: năng suất, chất lượng, an toàn…"
        ),
        gettext_noop("Lợi ích theo tác giả"),
        "Lợi ích theo đánh giá của tác giả.",
        required_to_submit=True,
        checked=True,
        diffed=True,
        example="Tiết kiệm khoảng 150 triệu đồng tiền điện mỗi năm.",
    ),
    Section(
        "applied_benefit_vnd",
        3,
        gettext_lazy("Giá trị làm lợi theo đánh giá của đơn vị đã áp dụng."),
        gettext_noop("Làm lợi theo đơn vị áp dụng (đồng)"),
        "Giá trị làm lợi theo đơn vị áp dụng (đồng).",
    ),
    Section(
        "applied_benefit_text",
        3,
        gettext_lazy(
            "Lợi ích theo ý kiến của tổ chức, cá nhân đã tham gia áp dụng thử hoặc lần đầu."
        ),
        gettext_noop("Lợi ích theo đơn vị áp dụng"),
        "Lợi ích theo đánh giá của đơn vị áp dụng.",
        checked=True,
        diffed=True,
    ),
    Section(
        "investor",
        3,
        gettext_lazy(
            "Tổ chức, cá nhân đầu tư tài chính, cơ sở vật chất để tạo ra sáng kiến (nếu khác tác giả)."
        ),
        gettext_noop("Chủ đầu tư"),
        "Chủ đầu tư tạo ra sáng kiến.",
        diffed=True,
    ),
    Section(
        "award",
        3,
        gettext_lazy("Giải thưởng đã nhận (nếu có)."),
        gettext_noop("Giải thưởng"),
        "Giải thưởng.",
        visibility=PUBLIC,
    ),
)

BY_NAME = {section.name: section for section in SECTIONS}


def names(*, step: int | None = None, **flags) -> tuple[str, ...]:
    """The names of the sections on `step` (all steps if None) whose attributes equal
    `flags`, in declaration order: `names(checked=True)`, `names(visibility=BODY)`."""
    return tuple(
        s.name
        for s in SECTIONS
        if (step is None or s.step == step)
        and all(getattr(s, key) == value for key, value in flags.items())
    )


def steps() -> dict[int, tuple[str, ...]]:
    """The form's steps holding sections, with their sections in order."""
    return {step: names(step=step) for step in sorted({s.step for s in SECTIONS})}


def exported() -> tuple[Section, ...]:
    """The sections with a column in the import template and the export."""
    return tuple(s for s in SECTIONS if s.exported)


# What Decree 13/2012 needs before an initiative can be handed in (beyond the title,
# unit and participant group every draft has).
REQUIRED_TO_SUBMIT = names(required_to_submit=True)
# Text the similarity check reads (the parts anyone may read first: match offsets and
# stored checks keep this order); also what a re-import compares.
CHECKED_TEXT = names(checked=True, visibility=PUBLIC) + tuple(
    name for name in names(checked=True) if BY_NAME[name].visibility != PUBLIC
)
# Hidden from a viewer who may not read a confidential initiative's text.
BODY_FIELDS = names(visibility=BODY)
# The only text shown of a confidential initiative to those who may not read it.
PUBLIC_OF_CONFIDENTIAL = names(visibility=PUBLIC)
# What the review's diff since the return compares.
DIFFED = names(diffed=True)
