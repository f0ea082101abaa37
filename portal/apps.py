from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    # Two AppConfig classes live in this module (AxesConfig below): without `default`,
    # Django would silently use a bare AppConfig and ready() would never run.
    default = True
    name = "portal"
    verbose_name = _("Cổng thông tin")

    def ready(self) -> None:
        from federation.signals import unit_merged
        from portal import account  # noqa: F401 - connects the session recorder to user_logged_in
        from portal.membership import roles_follow_merge

        unit_merged.connect(roles_follow_merge, dispatch_uid="portal-roles-follow-merge")
        # The project's Celery app becomes the current one in every Django process
        # (web, manage.py, tests), so `task.delay()` uses its broker and routes.
        import config.celery  # noqa: F401


class AxesConfig(AxesAppConfig):
    """django-axes names its admin section after its label ("AXES"): give it a name."""

    verbose_name = _("Chống dò mật khẩu")
