from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.parsing import StrictFormMixin
from core.tabular import TableFileField
from initiatives.models import ParticipantGroup
from rankings import selectors
from rankings.models import RankingMode

PERIOD_CHOICES = [
    ("all", _("Từ đầu chương trình")),
    ("year", _("Năm")),
    ("quarter", _("Quý")),
    ("week", _("Tuần")),
    ("range", _("Khoảng ngày")),
]


class RankingFilterForm(StrictFormMixin, forms.Form):
    """The filters above every ranking; invalid values fall back to defaults, never to a 500."""

    period = forms.ChoiceField(label=_("Thời gian"), choices=PERIOD_CHOICES, required=False)
    year = forms.IntegerField(label=_("Năm"), required=False, min_value=2000, max_value=2100)
    quarter = forms.ChoiceField(
        label=_("Quý"),
        choices=[("", "—")] + [(str(q), str(q)) for q in (1, 2, 3, 4)],
        required=False,
    )
    week = forms.DateField(
        label=_("Tuần có ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    start = forms.DateField(
        label=_("Từ ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("Đến ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    measure = forms.ChoiceField(
        label=_("Xếp theo"), choices=list(selectors.MEASURES.items()), required=False
    )
    mode = forms.ChoiceField(label=_("Đơn vị"), choices=RankingMode.choices, required=False)
    participant_group = forms.ChoiceField(
        label=_("Nhóm đối tượng"),
        choices=[("", _("Tất cả"))] + list(ParticipantGroup.choices),
        required=False,
    )
    field = forms.TypedChoiceField(
        label=_("Lĩnh vực"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, field_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["field"].choices = [("", _("Tất cả"))] + list(field_choices)


class TargetForm(StrictFormMixin, forms.Form):
    unit = forms.ChoiceField(label=_("Đơn vị"))
    starts_on = forms.DateField(label=_("Từ ngày"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("Đến ngày"), widget=forms.DateInput(attrs={"type": "date"}))
    count = forms.IntegerField(label=_("Chỉ tiêu (số sáng kiến)"), min_value=1)

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(u.code, u.name) for u in units]


class TargetImportForm(StrictFormMixin, forms.Form):
    file = TableFileField(
        label=_("Tệp chỉ tiêu (.xlsx hoặc .csv)"),
        help_text=_("Các cột: ma_don_vi, tu_ngay, den_ngay, chi_tieu (ngày dạng dd/mm/yyyy)."),
    )


class ReminderForm(StrictFormMixin, forms.Form):
    every_days = forms.IntegerField(
        label=_("Nhắc đơn vị chậm tiến độ mỗi (ngày)"), min_value=1, max_value=90
    )


class RegenerateForm(StrictFormMixin, forms.Form):
    week = forms.DateField(label=_("Tuần có ngày"), widget=forms.DateInput(attrs={"type": "date"}))
