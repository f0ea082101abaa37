import logging
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _
from kombu.exceptions import OperationalError as BrokerUnavailable

logger = logging.getLogger(__name__)


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
    """Django's reset form, with the mail handed to Celery (queue "mail", retried on
    SMTP/OS errors) and the link built from SITE_URL rather than the request's Host.

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
        from portal.tasks import send_email_message

        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        body = render_to_string(email_template_name, context)
        try:
            send_email_message.delay(subject, body, [to_email])
        except BrokerUnavailable:  # logged; the page must not tell the difference
            logger.exception("could not queue the password reset mail")
