"""The database itself refuses to change a posted transfer or posting (deletes are refused by the models;
a trigger on DELETE would also stop the test runner's flush on SQLite)."""

from django.db import migrations

TABLES = ["ledger_transfer", "ledger_posting"]


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "sqlite":
            schema_editor.execute(
                f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;"
            )
        elif vendor == "postgresql":
            schema_editor.execute(
                "CREATE OR REPLACE FUNCTION ledger_refuse_update() RETURNS trigger AS $$ "
                "BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END; $$ LANGUAGE plpgsql;",
                params=None,  # the '%' is plpgsql's, not a query parameter
            )
            schema_editor.execute(
                f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION ledger_refuse_update();"
            )


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update;")
        elif vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update ON {table};")


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
