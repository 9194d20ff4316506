"""The cash-in accounts name their channel (LedgerAccount.cash_in_channel), filled here from their codes
`cashin:<channel>`, the last time a code is read for it; Transfer.kind and Posting.kind get their choices (no row
changes). After services 0002, which creates the channels' accounts.

On SQLite a new NOT NULL column rebuilds the accounts' table (a copy, then a rename), which the posting trigger of
migration 0003 refers to: SQLite refuses the rename while a trigger names the table being replaced, so the trigger
is taken off for the rebuild and put back, as 0003 wrote it."""

import importlib

from django.db import migrations, models

POSTING_LEGS = importlib.import_module("ledger.migrations.0003_posting_legs")

# wallet.models.CashInChannel's values as they are today (a migration does not import the app's code).
CHANNELS = ("kicb-branch", "kicb-terminal", "mobilnik", "qiwi")
CODE_PREFIX = "cashin:"


def sqlite_trigger_off(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS ledger_posting_apply;")


def sqlite_trigger_on(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS ledger_posting_apply;")
        schema_editor.execute(POSTING_LEGS.SQLITE_APPLY)


def fill_channels(apps, schema_editor):
    LedgerAccount = apps.get_model("ledger", "LedgerAccount")
    for channel in CHANNELS:
        LedgerAccount.objects.filter(code=f"{CODE_PREFIX}{channel}", kind="cash_in").update(cash_in_channel=channel)


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0003_posting_legs"),
        ("services", "0002_seed_catalog"),
    ]

    operations = [
        migrations.RunPython(sqlite_trigger_off, sqlite_trigger_on),
        migrations.AddField(
            model_name="ledgeraccount",
            name="cash_in_channel",
            field=models.CharField(blank=True, default="", max_length=16, verbose_name="канал пополнения"),
        ),
        migrations.RunPython(sqlite_trigger_on, sqlite_trigger_off),
        migrations.RunPython(fill_channels, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="posting",
            name="kind",
            field=models.CharField(
                choices=[
                    ("cash_in", "пополнение"),
                    ("reserve", "резерв платежа"),
                    ("payment", "платеж"),
                    ("release", "возврат резерва"),
                    ("reversal", "сторно"),
                    ("adjustment", "корректировка баланса"),
                ],
                max_length=16,
                verbose_name="вид",
            ),
        ),
        migrations.AlterField(
            model_name="transfer",
            name="kind",
            field=models.CharField(
                choices=[
                    ("cash_in", "пополнение"),
                    ("reserve", "резерв платежа"),
                    ("payment", "платеж"),
                    ("commission", "комиссия"),
                    ("release", "возврат резерва"),
                    ("reversal", "сторно"),
                    ("training_reset", "корректировка баланса (учеба)"),
                ],
                max_length=16,
                verbose_name="вид",
            ),
        ),
    ]
