from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def build_empty_archive_index(sender, using="default", **kwargs):
    """After `migrate`: a deployment whose archive holds initiatives but whose
    index is empty (new tables, or a fingerprint change that emptied them) gets
    its index built, instead of checking against nothing until someone runs
    `rebuild_similarity_index`."""
    from django.db import connections

    if connections[using].vendor != "postgresql" or using != "default":
        return
    from dedup.services import archive_index_build

    indexed = archive_index_build(only_if_empty=True)
    if indexed is not None and kwargs.get("verbosity", 1):
        stdout = kwargs.get("stdout")
        if stdout is not None:
            stdout.write(f"  Similarity index built: {indexed} initiatives.\n")


class DedupConfig(AppConfig):
    name = "dedup"
    verbose_name = _("Kiểm tra trùng lặp")

    def ready(self):
        # Registers check_initiative in every process (web included): initiatives, below
        # dedup, enqueues it by name (initiatives.services.SIMILARITY_CHECK_TASK).
        from dedup import tasks  # noqa: F401

        post_migrate.connect(
            build_empty_archive_index, sender=self, dispatch_uid="dedup_build_index"
        )
