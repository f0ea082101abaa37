"""Fill every initiative's search text (demo, seeded and imported rows had none) and,
on PostgreSQL, index it with pg_trgm so `LIKE '%word%'` is not a table scan."""

from django.db import migrations

from initiatives.search import search_text_from

BATCH = 1000
INDEX = "initiative_search_text_trgm"


def fill_search_text(apps, schema_editor):
    Initiative = apps.get_model("initiatives", "Initiative")
    InitiativeAuthor = apps.get_model("initiatives", "InitiativeAuthor")
    ids = list(Initiative.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        names: dict[int, list[str]] = {}
        for initiative_id, name in InitiativeAuthor.objects.filter(
            initiative_id__in=chunk
        ).values_list("initiative_id", "full_name"):
            names.setdefault(initiative_id, []).append(name)
        rows = list(Initiative.objects.filter(pk__in=chunk).select_related("unit"))
        for row in rows:
            row.search_text = search_text_from(
                title=row.title,
                summary=row.summary,
                award=row.award,
                is_confidential=row.is_confidential,
                body=[row.problem, row.description, row.application_scope],
                author_names=names.get(row.pk, []),
                unit_name=row.unit.name,
            )
        Initiative.objects.bulk_update(rows, ["search_text"])


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
    dependencies = [
        ("initiatives", "0003_initiativeauthor_external_person_id"),
    ]

    operations = [
        migrations.RunPython(fill_search_text, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(create_trigram_index, drop_trigram_index),
    ]
