from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RankingsConfig(AppConfig):
    name = "rankings"
    verbose_name = _("Xếp hạng")

    def ready(self) -> None:
        # The counters follow every write of an initiative, in its transaction.
        from initiatives import signals
        from rankings import services

        signals.initiative_written.connect(
            services.on_initiative_written, dispatch_uid="rankings-count-written"
        )
        signals.initiatives_created.connect(
            services.on_initiatives_created, dispatch_uid="rankings-count-created"
        )
        signals.initiative_deleting.connect(
            services.on_initiative_deleting, dispatch_uid="rankings-forget-deleted"
        )
