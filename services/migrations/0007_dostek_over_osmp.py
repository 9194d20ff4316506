"""DosTek group is a real provider now: its payments go to СОЧИ over the OSMP protocol."""

from django.db import migrations

OSMP = "services.providers.OsmpProvider"
IN_PROCESS = "services.providers.AcceptAllProvider"


def forwards(apps, schema_editor):
    apps.get_model("services", "Provider").objects.filter(code="dostek").update(adapter=OSMP)


def backwards(apps, schema_editor):
    apps.get_model("services", "Provider").objects.filter(code="dostek").update(adapter=IN_PROCESS)


class Migration(migrations.Migration):
    dependencies = [("services", "0006_provider_exchanges")]

    operations = [migrations.RunPython(forwards, backwards)]
