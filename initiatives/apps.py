from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InitiativesConfig(AppConfig):
    name = "initiatives"
    verbose_name = _("Sáng kiến")

    def ready(self) -> None:
        from federation.signals import subtree_moved
        from initiatives.services import on_subtree_moved

        subtree_moved.connect(on_subtree_moved, dispatch_uid="initiatives-reattribute")

        from accounts.account import personal_data_section_register
        from initiatives.selectors import personal_initiatives

        personal_data_section_register("initiatives", personal_initiatives)
