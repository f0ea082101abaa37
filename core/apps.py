from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Infrastructure with no knowledge of the domain: text, parsing, tables, jobs, mail."""

    name = "core"
    verbose_name = _("Hạ tầng")

    def ready(self) -> None:
        # The project's Celery app becomes the current one in every Django process
        # (web, manage.py, tests), so `task.delay()` uses its broker and routes.
        import config.celery  # noqa: F401
