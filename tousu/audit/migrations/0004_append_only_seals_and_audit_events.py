"""PostgreSQL triggers refusing UPDATE and DELETE on the tables written once.

Row seals, organisation audit events and policy versions join events, case records
and checkpoints (0002) and attachments (evidence 0001): the ORM never updates
them, and these triggers refuse it to SQL as well, unless the table's owner
disables them first (which ``tousu audit verify`` still catches: every row is
sealed under a key the database does not hold).
"""

from django.db import migrations

FUNCTION = "tousu_refuse_change"
TABLES = [
    ("audit", "Seal"),
    ("orgs", "AuditEvent"),
    ("policy", "PolicyVersion"),
]


def _tables(apps):
    return [apps.get_model(app, model)._meta.db_table for app, model in TABLES]


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
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


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0003_keyed_seals_and_checkpoints"),
        ("orgs", "0002_organisation_policy_links"),
        ("policy", "0001_policy_versions"),
    ]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
