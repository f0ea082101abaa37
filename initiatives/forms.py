"""The initiative form, its authors formset and the attachment upload.

A draft may be incomplete: only step 1 (title, participant group, unit) is
required to save one. Submitting checks everything the Decree asks for, and that
contributions add up to 100%, in `initiatives.validation` (through the services), the
same rules every import and the API apply.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.db import models
from django.forms import formset_factory
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from core.parsing import StrictFormMixin
from federation.models import OrgUnit
from initiatives import attachments as attachment_rules
from initiatives import fields as sections
from initiatives import validation
from initiatives.models import Field, Initiative, RecognitionLevel
from initiatives.services import AuthorData

MSG_AUTHOR_NAME_REQUIRED = gettext_noop("Cần ghi họ và tên tác giả.")
MSG_AUTHOR_PERCENT_REQUIRED = gettext_noop("Cần ghi tỷ lệ đóng góp (từ 0,01 đến 100).")
MSG_DATE_IN_FUTURE = validation.MSG_FIRST_APPLIED_IN_FUTURE
MSG_UNIT_NOT_ALLOWED = gettext_noop("Hãy chọn công đoàn cơ sở của bạn trong danh sách.")
MSG_TOO_MANY_FILES = gettext_noop("Mỗi lần chỉ gửi tối đa {n} tệp.")

# More units than this and the form asks for the unit's code instead of listing them.
MAX_UNITS_IN_A_LIST = 300
HELP_UNIT_CODE = gettext_noop("Nhập mã công đoàn cơ sở (xem trong mục “Đơn vị”).")

# Inline help from Decree 13/2012/NĐ-CP (Điều 3, 4, 5) and Circular 18/2013/TT-BKHCN,
# and the steps the sections sit on: both declared in `initiatives.fields`.
HELP = {section.name: section.help for section in sections.SECTIONS}
STEP_FIELDS = sections.steps()
# What the Decree needs before an initiative can be handed in (marked in the form).
REQUIRED_TO_SUBMIT = validation.REQUIRED_TO_SUBMIT


class ListedChoiceIterator(forms.models.ModelChoiceIterator):
    """A select's options read with one plain query, kept for the rest of the form.

    Django's iterator reads them through `QuerySet.iterator()`, which on PostgreSQL is
    a server-side cursor (DECLARE, FETCH, CLOSE) every time the widget is drawn; the
    lists here are short (at most MAX_UNITS_IN_A_LIST units, a dozen fields).
    """

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        # The field's own queryset: evaluated once, its rows cached on it for the form.
        for obj in self.field.queryset:
            yield self.choice(obj)


class InitiativeForm(StrictFormMixin, forms.ModelForm):
    client_token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Initiative
        fields = [name for step in STEP_FIELDS.values() for name in step]
        widgets = {
            "first_applied_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "benefit_vnd": forms.NumberInput(attrs={"min": 0, "step": 1, "inputmode": "numeric"}),
            "applied_benefit_vnd": forms.NumberInput(
                attrs={"min": 0, "step": 1, "inputmode": "numeric"}
            ),
            **{
                section.name: forms.Textarea(attrs={"rows": 4})
                for section in sections.SECTIONS
                if isinstance(section.model_field, models.TextField)
            },
        }

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The iterator first: setting the queryset hands the widget its choices.
        self.fields["field"].iterator = ListedChoiceIterator
        self.fields["field"].queryset = Field.objects.filter(is_active=True)
        self.fields["field"].empty_label = _("— Chọn lĩnh vực —")
        units = (units if units is not None else OrgUnit.objects.none()).order_by("name")
        unit_field = self.fields["unit"]
        unit_field.iterator = ListedChoiceIterator
        unit_field.queryset = units
        count = units.count()
        unit_field.empty_label = None if count == 1 else "—"
        if count > MAX_UNITS_IN_A_LIST:
            # A national officer reaches tens of thousands of units: ask for the code instead.
            unit_field.to_field_name = "code"
            unit_field.widget = forms.TextInput(attrs={"autocomplete": "off"})
            if self.instance.pk and not self.is_bound:
                self.initial["unit"] = self.instance.unit.code
        self.fields["unit"].error_messages["invalid_choice"] = _(MSG_UNIT_NOT_ALLOWED)
        self.fields["participant_group"].choices = [("", _("— Chọn nhóm —"))] + list(
            self.fields["participant_group"].choices[1:]
        )
        self.fields["benefit_vnd"].required = False
        for name, field in self.fields.items():
            if name in HELP:
                field.help_text = HELP[name]
        self.fields["summary"].label = _("Tóm tắt hiệu quả")
        if count > MAX_UNITS_IN_A_LIST:
            unit_field.help_text = _(HELP_UNIT_CODE)

    def clean_first_applied_on(self):
        day = self.cleaned_data.get("first_applied_on")
        for problem in validation.draft_problems(values={"first_applied_on": day}, authors=None):
            raise forms.ValidationError(problem.message, code=problem.code)
        return day

    def clean_benefit_vnd(self):
        return self.cleaned_data.get("benefit_vnd") or Decimal(0)

    @property
    def step_fields(self) -> dict[int, list]:
        return {step: [self[name] for name in names] for step, names in STEP_FIELDS.items()}


class AuthorForm(StrictFormMixin, forms.Form):
    # How old an author may be is said by initiatives.validation, as for imports and API.
    dates_judged_elsewhere = ("date_of_birth",)

    full_name = forms.CharField(label=gettext_lazy("Họ và tên"), max_length=150, required=False)
    date_of_birth = forms.DateField(
        label=gettext_lazy("Ngày sinh"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    workplace = forms.CharField(label=gettext_lazy("Nơi công tác"), max_length=255, required=False)
    job_title = forms.CharField(label=gettext_lazy("Chức danh"), max_length=150, required=False)
    qualification = forms.CharField(
        label=gettext_lazy("Trình độ chuyên môn"), max_length=150, required=False
    )
    contribution_percent = forms.DecimalField(
        label=gettext_lazy("Tỷ lệ đóng góp (%)"),
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=Decimal(100),
        required=False,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    user_id = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean(self):
        data = super().clean()
        if self.cleaned_data.get("DELETE"):
            return data
        filled = (
            any(
                data.get(name)
                for name in (
                    "full_name",
                    "date_of_birth",
                    "workplace",
                    "job_title",
                    "qualification",
                )
            )
            or data.get("contribution_percent") is not None
        )
        if filled:
            if not (data.get("full_name") or "").strip():
                self.add_error("full_name", _(MSG_AUTHOR_NAME_REQUIRED))
            if (
                data.get("contribution_percent") is None
                and "contribution_percent" not in self.errors
            ):
                self.add_error("contribution_percent", _(MSG_AUTHOR_PERCENT_REQUIRED))
        return data

    def to_author(self) -> AuthorData | None:
        data = self.cleaned_data
        if not data or data.get("DELETE") or not (data.get("full_name") or "").strip():
            return None
        return AuthorData(
            full_name=data["full_name"].strip(),
            contribution_percent=data["contribution_percent"],
            user_id=data.get("user_id"),
            date_of_birth=data.get("date_of_birth"),
            workplace=data.get("workplace", ""),
            job_title=data.get("job_title", ""),
            qualification=data.get("qualification", ""),
        )


AuthorFormSet = formset_factory(AuthorForm, extra=0, can_delete=True, max_num=20, absolute_max=20)


def authors_from(formset) -> list[AuthorData]:
    return [author for author in (form.to_author() for form in formset.forms) if author]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(AttachmentsField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class AttachmentUploadForm(StrictFormMixin, forms.Form):
    MAX_FILES_PER_REQUEST = 10

    files = AttachmentsField(
        label=gettext_lazy("Tệp đính kèm"),
        required=False,
        help_text=gettext_lazy(
            "PDF, Word (DOCX), Excel (XLSX), ảnh JPEG hoặc PNG: bản vẽ, ảnh chụp, tài liệu minh hoạ."
        ),
        widget=MultipleFileInput(attrs={"accept": attachment_rules.ACCEPT_ATTRIBUTE}),
    )

    def clean_files(self):
        files = self.cleaned_data.get("files") or []
        if len(files) > self.MAX_FILES_PER_REQUEST:
            raise forms.ValidationError(_(MSG_TOO_MANY_FILES).format(n=self.MAX_FILES_PER_REQUEST))
        return files


class RecognitionForm(forms.Form):
    """The recognition decision recorded for the initiatives ticked on the page."""

    number = forms.CharField(label=gettext_lazy("Số quyết định công nhận"), max_length=64)
    date = forms.DateField(
        label=gettext_lazy("Ngày quyết định"), widget=forms.DateInput(attrs={"type": "date"})
    )
    level = forms.ChoiceField(label=gettext_lazy("Cấp công nhận"), choices=RecognitionLevel.choices)
    award = forms.CharField(label=gettext_lazy("Giải thưởng"), max_length=255, required=False)
    ids = forms.TypedMultipleChoiceField(coerce=int, choices=(), required=False)

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ids"].choices = [(i.pk, i.title) for i in candidates]
