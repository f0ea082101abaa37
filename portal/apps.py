from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Cổng thông tin")


class AxesConfig(AxesAppConfig):
    """django-axes names its admin section after its label ("AXES"): give it a name."""

    verbose_name = _("Chống dò mật khẩu")
