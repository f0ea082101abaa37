"""The shared archive index's tables (PostgreSQL only; SQLite keeps the index in memory).

The DDL belongs to the engine (`dedup.engine.pgstore.SCHEMA_SQL`) so the engine
can be benchmarked without Django; this migration applies it.
"""

from django.db import migrations


def create_index_tables(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from dedup.engine.pgstore import SCHEMA_SQL

    schema_editor.execute(SCHEMA_SQL)


def drop_index_tables(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from dedup.engine.pgstore import DROP_SCHEMA_SQL

    schema_editor.execute(DROP_SCHEMA_SQL)


class Migration(migrations.Migration):
    dependencies = [("dedup", "0002_initial")]

    operations = [migrations.RunPython(create_index_tables, drop_index_tables)]
