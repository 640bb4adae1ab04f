from django.db import migrations, models

# Overdue per unit of a whole agency (every agency dashboard's unit breakdown) read from the
# index alone. PostgreSQL only: INCLUDE is PostgreSQL's, and declaring it on the model would
# warn (models.W040) on SQLite, where it would be ignored anyway.
OVERDUE_INDEX = (
    "CREATE INDEX IF NOT EXISTS unitopendue_overdue ON reports_unitopendue "
    "(agency_id, required, due_on) INCLUDE (unit_id, n)"
)


def overdue_index_create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(OVERDUE_INDEX)


def overdue_index_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS unitopendue_overdue")


class Migration(migrations.Migration):

    dependencies = [
        ("reports", "0005_status_rollups"),
    ]

    operations = [
        # Every agency's last weeks side by side (the platform view).
        migrations.AddIndex(
            model_name="coursecompletionweek",
            index=models.Index(fields=["week"], name="reports_cou_week_75bf74_idx"),
        ),
        migrations.RunPython(overdue_index_create, overdue_index_drop),
    ]
