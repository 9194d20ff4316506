"""A payment's money moves in steps (Mojaloop's states): reserve on the hold account, then commit to the provider
or release back to the wallet, later perhaps a refund. Each step is its own posting, linked from the payment."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0003_posting_legs"),
        ("services", "0002_seed_catalog"),
    ]

    operations = [
        migrations.RenameField(model_name="payment", old_name="posting", new_name="settle_posting"),
        migrations.AlterField(
            model_name="payment",
            name="settle_posting",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="settled_payment",
                to="ledger.posting",
                verbose_name="проводка расчета",
            ),
        ),
        migrations.AddField(
            model_name="payment",
            name="reserve_posting",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="reserved_payment",
                to="ledger.posting",
                verbose_name="проводка резерва",
            ),
        ),
        migrations.AddField(
            model_name="payment",
            name="refund_posting",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="refunded_payment",
                to="ledger.posting",
                verbose_name="проводка возврата",
            ),
        ),
        migrations.AddField(
            model_name="payment",
            name="aborted_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="отменен"),
        ),
        migrations.AddField(
            model_name="payment",
            name="reversed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="возвращен"),
        ),
    ]
