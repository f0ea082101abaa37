"""The archive index's pending term counts (``dedup_term_pending``).

An add used to count its syllables straight into ``dedup_term``; it now writes
one row there and folds them in batches (see ``dedup.engine.pgstore``). The DDL
is the engine's, idempotent: this re-applies it.
"""

from django.db import migrations


def create_index_tables(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from dedup.engine.pgstore import SCHEMA_SQL

    schema_editor.execute(SCHEMA_SQL)


def drop_pending_terms(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP TABLE IF EXISTS dedup_term_pending")


class Migration(migrations.Migration):
    dependencies = [("dedup", "0005_reference_text")]

    operations = [migrations.RunPython(create_index_tables, drop_pending_terms)]
