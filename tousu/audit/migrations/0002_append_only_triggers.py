"""PostgreSQL triggers refusing UPDATE and DELETE on the append-only tables.

Events, case records and checkpoints are written once. The ORM already refuses to
update them; these triggers refuse it to anyone editing the database with SQL, unless
they own the table and disable the trigger first (which ``tousu audit verify`` still
catches). TRUNCATE is not refused: Django's test runner empties tables with TRUNCATE
between transactional tests, and a TRUNCATE wipes whole tables at once, which the
checkpoints make visible. SQLite gets no triggers. A later data migration that must
rewrite one of these tables has to disable the trigger around its change.
"""

from django.db import migrations

FUNCTION = "tousu_refuse_change"
TABLES = [("cases", "Event"), ("cases", "CaseRecord"), ("audit", "Checkpoint")]


def _tables(apps):
    return [apps.get_model(app, model)._meta.db_table for app, model in TABLES]


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN RAISE EXCEPTION 'append-only table %', TG_TABLE_NAME; END $$",
        None,  # no parameters: the % is PL/pgSQL's, not a placeholder
    )
    for table in _tables(apps):
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()"
        )


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in _tables(apps):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    schema_editor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_organisation_checkpoints"),
        ("cases", "0001_cases_events_deadlines"),
    ]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
