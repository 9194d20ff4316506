"""The audit log moved to the audit app (audit 0001 takes the model over with the same table): only Django's
idea of which app owns the model changes here, no table is dropped."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("staff", "0004_device_revoke_action")]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="AuditEntry")]),
    ]
