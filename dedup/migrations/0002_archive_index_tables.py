"""The shared archive index's tables (PostgreSQL only; SQLite keeps the index in memory).

They are not Django models: the DDL belongs to the engine (`dedup.engine.pgstore`)
so the engine can be benchmarked without Django; this migration applies it. The index
itself is built after `migrate` when the archive holds initiatives (dedup.apps).
"""

from django.db import migrations


def create_index_tables(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from dedup.engine.pgstore import KINDS_SQL, SCHEMA_SQL

    schema_editor.execute(SCHEMA_SQL)
    schema_editor.execute(KINDS_SQL)


def drop_index_tables(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from dedup.engine.pgstore import DROP_SCHEMA_SQL

    schema_editor.execute(DROP_SCHEMA_SQL)


class Migration(migrations.Migration):
    dependencies = [("dedup", "0001_initial")]

    operations = [migrations.RunPython(create_index_tables, drop_index_tables)]
