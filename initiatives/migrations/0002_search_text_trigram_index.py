"""On PostgreSQL, index the initiatives' search text with pg_trgm so `LIKE '%word%'`
is not a table scan (hand-written: Django's models do not declare the extension)."""

from django.db import migrations

INDEX = "initiative_search_text_trgm"


def create_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite: the same LIKE filter, as a scan
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON initiatives_initiative "
        "USING gin (search_text gin_trgm_ops)"
    )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("initiatives", "0001_initial")]

    operations = [migrations.RunPython(create_trigram_index, drop_trigram_index)]
