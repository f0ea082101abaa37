from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    # Two AppConfig classes live in this module (AxesConfig below): without `default`,
    # Django would silently use a bare AppConfig and ready() would never run.
    default = True
    name = "accounts"
    verbose_name = _("Tài khoản")

    def ready(self) -> None:
        from accounts import account  # noqa: F401 - connects the session recorder to user_logged_in
        from accounts.membership import roles_follow_merge
        from federation.signals import unit_merged

        unit_merged.connect(roles_follow_merge, dispatch_uid="portal-roles-follow-merge")


class AxesConfig(AxesAppConfig):
    """django-axes names its admin section after its label ("AXES"): give it a name."""

    verbose_name = _("Chống dò mật khẩu")
