from django import forms
from django.utils.translation import gettext_lazy as _

from core.parsing import StrictFormMixin
from core.tabular import TableFileField
from federation.models import ReorgEvent


class UnitImportForm(StrictFormMixin, forms.Form):
    file = TableFileField(
        label=_("Tệp danh sách đơn vị (.xlsx hoặc .csv)"),
        help_text=_("Các cột: code, name, parent_code, kind, members."),
    )
    all_or_nothing = forms.BooleanField(
        label=_("Chỉ nhập khi tất cả các dòng đều hợp lệ"), required=False, initial=True
    )


class ReorganiseForm(StrictFormMixin, forms.Form):
    action = forms.ChoiceField(
        label=_("Thao tác"),
        choices=[
            (ReorgEvent.Kind.MERGE, _("Hợp nhất vào đơn vị khác")),
            (ReorgEvent.Kind.MOVE, _("Chuyển sang cấp trên khác")),
            (ReorgEvent.Kind.RENAME, _("Đổi tên")),
            (ReorgEvent.Kind.CLOSE, _("Giải thể")),
        ],
    )
    target_code = forms.CharField(
        label=_("Mã đơn vị đích"),
        required=False,
        help_text=_("Đơn vị tiếp nhận (hợp nhất) hoặc cấp trên mới (chuyển)."),
    )
    new_name = forms.CharField(label=_("Tên mới"), required=False, max_length=255)
    effective_date = forms.DateField(
        label=_("Ngày hiệu lực"), widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(
        label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self):
        cleaned = super().clean()
        action = cleaned.get("action")
        if action in (ReorgEvent.Kind.MERGE, ReorgEvent.Kind.MOVE) and not cleaned.get(
            "target_code"
        ):
            self.add_error("target_code", _("Cần nhập mã đơn vị đích."))
        if action == ReorgEvent.Kind.RENAME and not cleaned.get("new_name"):
            self.add_error("new_name", _("Cần nhập tên mới."))
        return cleaned
