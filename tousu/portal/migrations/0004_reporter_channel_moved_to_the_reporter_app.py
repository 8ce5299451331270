"""The reporter channel moved to its own app (``tousu.reporter``): receipts, messages, notices.

The standard model move (``SeparateDatabaseAndState``): here the portal forgets the four
models and their tables are renamed ``portal_*`` -> ``reporter_*``, rows untouched;
``reporter.0001`` then declares the same models in the reporter app without touching the
database. On PostgreSQL the messages' append-only trigger is renamed with its table (the
``<table>_append_only`` convention of audit 0002). Content types (and so permissions and
admin log entries) follow the models to the new app label.
"""

from django.db import migrations

MODELS = ["Receipt", "Message", "ReporterNotice", "ReporterDelivery"]
TRIGGER_TABLES = [("portal_message", "reporter_message")]


def rename_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for old, new in TRIGGER_TABLES:
        schema_editor.execute(
            f"ALTER TRIGGER {old}_append_only ON {new} RENAME TO {new}_append_only"
        )


def rename_triggers_back(apps, schema_editor):
    # Backwards, the database operations run in reverse: the table still has its new name.
    if schema_editor.connection.vendor != "postgresql":
        return
    for old, new in TRIGGER_TABLES:
        schema_editor.execute(
            f"ALTER TRIGGER {new}_append_only ON {new} RENAME TO {old}_append_only"
        )


def _move_content_types(apps, source, target):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for name in (m.lower() for m in MODELS):
        if not ContentType.objects.filter(app_label=target, model=name).exists():
            ContentType.objects.filter(app_label=source, model=name).update(app_label=target)


def content_types_to_reporter(apps, schema_editor):
    _move_content_types(apps, "portal", "reporter")


def content_types_to_portal(apps, schema_editor):
    _move_content_types(apps, "reporter", "portal")


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('portal', '0003_reporter_notices'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                *(
                    migrations.AlterModelTable(name=m.lower(), table=f"reporter_{m.lower()}")
                    for m in MODELS
                ),
                migrations.RunPython(rename_triggers, rename_triggers_back),
            ],
            state_operations=[migrations.DeleteModel(name=m) for m in MODELS],
        ),
        migrations.RunPython(content_types_to_reporter, content_types_to_portal),
    ]
