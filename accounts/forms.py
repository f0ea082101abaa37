import datetime as dt
import logging
import re
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from accounts.models import Role, User, normalize_phone
from core.tabular import TableFileField

logger = logging.getLogger(__name__)


# The empty choice of every unit picker, instead of Django's "---------".
CHOOSE_UNIT = _("— Chọn đơn vị —")


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Email hoặc số điện thoại"),
        max_length=254,
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "username", "inputmode": "email"}
        ),
    )
    error_messages = {
        "invalid_login": _(
            "Email/số điện thoại hoặc mật khẩu không đúng. Lưu ý mật khẩu phân biệt chữ hoa, chữ thường."
        ),
        "inactive": _("Tài khoản này đã bị khóa."),
    }


class PortalPasswordResetForm(PasswordResetForm):
    """Django's reset form, with the mail written to the outbox (sent by Celery on the
    "mail" queue, retried on SMTP/OS errors) and the link built from SITE_URL rather
    than the request's Host.

    Same page whether or not an account exists; the page says the mail is being sent,
    never that it was sent.
    """

    def save(self, **kwargs) -> None:
        site = urlsplit(settings.SITE_URL)
        kwargs["domain_override"] = site.netloc
        kwargs["use_https"] = site.scheme == "https"
        super().save(**kwargs)

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ) -> None:
        from core.outbox import outbox_enqueue

        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        body = render_to_string(email_template_name, context)
        # The outbox keeps it if the broker or the mail server is down (core/outbox.py).
        outbox_enqueue(to=[to_email], subject=subject, body=body)


# --- registration and people -----------------------------------------------------------

MSG_LOGIN_REQUIRED = gettext_noop("Hãy nhập số điện thoại hoặc email.")
MSG_PHONE_INVALID = gettext_noop(
    "Số điện thoại không hợp lệ: cần 10 chữ số, bắt đầu bằng 0 (hoặc +84)."
)
MSG_LOGIN_TAKEN = gettext_noop(
    "Số điện thoại hoặc email này đã có tài khoản. Hãy đăng nhập, hoặc dùng “Quên mật khẩu?”."
)
MSG_PASSWORDS_DIFFER = gettext_noop("Hai mật khẩu không khớp.")
MSG_PICK_UNIT = gettext_noop("Hãy chọn công đoàn cơ sở của bạn (gõ tên để tìm).")
MSG_BIRTH_IMPLAUSIBLE = gettext_noop("Ngày sinh không hợp lệ.")


def split_login(value: str) -> tuple[str | None, str | None]:
    """(email, phone) from what a person typed in one box."""
    value = (value or "").strip()
    if not value:
        return None, None
    if "@" in value:
        return value.lower(), None
    phone = normalize_phone(value)
    if not re.fullmatch(r"0\d{9}", phone):
        raise forms.ValidationError(_(MSG_PHONE_INVALID), code="phone")
    return None, phone


class ProfileFieldsMixin(forms.Form):
    """Name, date of birth, phone or email, grassroots union: asked of every new person."""

    full_name = forms.CharField(label=_("Họ và tên"), max_length=150)
    date_of_birth = forms.DateField(
        label=_("Ngày sinh"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    unit = forms.CharField(
        label=_("Công đoàn cơ sở"),
        widget=forms.HiddenInput,
        required=False,
        error_messages={"required": _(MSG_PICK_UNIT)},
    )

    def clean_date_of_birth(self):
        born = self.cleaned_data["date_of_birth"]
        today = dt.date.today()
        if not (
            today.replace(year=today.year - 100) <= born <= today.replace(year=today.year - 14)
        ):
            raise forms.ValidationError(_(MSG_BIRTH_IMPLAUSIBLE), code="birth")
        return born

    def clean_unit(self):
        from accounts.membership import grassroots_by_code

        code = (self.cleaned_data.get("unit") or "").strip()
        unit = grassroots_by_code(code) if code else None
        if unit is None:
            raise forms.ValidationError(_(MSG_PICK_UNIT), code="unit")
        return unit


class MembershipJoinForm(forms.Form):
    unit = forms.CharField(widget=forms.HiddenInput, required=False)

    clean_unit = ProfileFieldsMixin.clean_unit


class RegistrationForm(ProfileFieldsMixin):
    login = forms.CharField(
        label=_("Số điện thoại hoặc email"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username", "inputmode": "email"}),
        help_text=_("Ví dụ 0901 234 567, +84 901 234 567 hoặc ten@congty.vn"),
    )
    password1 = forms.CharField(
        label=_("Mật khẩu"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Ít nhất 8 ký tự, không toàn chữ số, không giống tên hay số điện thoại."),
    )
    password2 = forms.CharField(
        label=_("Nhập lại mật khẩu"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    field_order = ["full_name", "date_of_birth", "login", "password1", "password2", "unit"]

    def __init__(self, *args, fixed_unit=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fixed_unit = fixed_unit
        if fixed_unit is not None:
            self.fields["unit"].required = False

    def clean_unit(self):
        if self.fixed_unit is not None:
            return self.fixed_unit
        return super().clean_unit()

    def clean_login(self):
        email, phone = split_login(self.cleaned_data["login"])
        if not email and not phone:
            raise forms.ValidationError(_(MSG_LOGIN_REQUIRED), code="required")
        if email:
            email = forms.EmailField().clean(email)
        taken = (
            User.objects.filter(email__iexact=email) if email else User.objects.filter(phone=phone)
        )
        if taken.exists():
            raise forms.ValidationError(_(MSG_LOGIN_TAKEN), code="taken")
        self.email, self.phone = email, phone
        return self.cleaned_data["login"]

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _(MSG_PASSWORDS_DIFFER))
        elif first:
            candidate = User(
                full_name=cleaned.get("full_name", ""),
                email=getattr(self, "email", None),
                phone=getattr(self, "phone", None),
            )
            try:
                password_validation.validate_password(first, candidate)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned


class SocialCompletionForm(ProfileFieldsMixin):
    """After a first sign-in with Zalo, Google or Facebook: what the provider did not tell."""

    phone = forms.CharField(
        label=_("Số điện thoại"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    field_order = ["full_name", "date_of_birth", "phone", "unit"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        # Without an email from the provider the phone number is how the person signs in.
        self.fields["phone"].required = not (user is not None and user.email)

    def clean_phone(self):
        raw = self.cleaned_data.get("phone", "")
        if not raw:
            return None
        _email, phone = split_login(raw)
        taken = User.objects.filter(phone=phone)
        if self.user is not None:
            taken = taken.exclude(pk=self.user.pk)
        if taken.exists():
            raise forms.ValidationError(_(MSG_LOGIN_TAKEN), code="taken")
        return phone


class UnitChoiceField(forms.ModelChoiceField):
    """A unit picked by its code, from the units the view allows (`UnitPickerForm`)."""

    def __init__(self, *, label, **kwargs):
        super().__init__(
            label=label, queryset=None, to_field_name="code", empty_label=CHOOSE_UNIT, **kwargs
        )


class UnitPickerForm(forms.Form):
    """A form whose `unit` field offers the units the view passes in (the viewer's scope)."""

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class RoleGrantForm(UnitPickerForm):
    role = forms.ChoiceField(label=_("Vai trò"))
    unit = UnitChoiceField(label=_("Tại đơn vị"))
    note = forms.CharField(label=_("Ghi chú"), max_length=255, required=False)

    def __init__(self, *args, roles=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(r, Role(r).label) for r in roles]


class MemberMoveForm(UnitPickerForm):
    unit = UnitChoiceField(label=_("Công đoàn cơ sở mới"))
    moved_on = forms.DateField(
        label=_("Ngày chuyển"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class MemberImportForm(UnitPickerForm):
    file = TableFileField(label=_("Tệp danh sách (.xlsx hoặc .csv)"))
    unit = UnitChoiceField(label=_("Công đoàn cơ sở (khi tệp không ghi mã đơn vị)"))


class InvitationForm(UnitPickerForm):
    unit = UnitChoiceField(label=_("Mời vào công đoàn cơ sở"))


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Tên khoá (để bạn nhận ra chương trình dùng nó)"),
        max_length=100,
        error_messages={"required": _("Hãy đặt tên cho khoá, ví dụ “Báo cáo hằng tuần”.")},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    days = forms.TypedChoiceField(label=_("Hết hạn sau"), coerce=int)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = sorted({7, 30, 90, 180, 365, settings.API_TOKEN_DAYS})
        self.fields["days"].choices = [
            (days, _("%(days)s ngày") % {"days": days}) for days in choices
        ]
        self.fields["days"].initial = settings.API_TOKEN_DAYS
