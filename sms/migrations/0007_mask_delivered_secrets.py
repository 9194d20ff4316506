"""Star the PINs and codes in the SMS already in the outbox, identified by their kind (the caller did not yet name
the secret when they were queued). A delivered or failed message keeps only the starred text; one still waiting
keeps its text to deliver and gets the starred form beside it, which its delivery puts in its place."""

import re

from django.db import migrations

SECRET_KINDS = ("wallet_opened", "code", "pin_reset")
FINAL_STATUSES = ("sent", "failed")
# The PIN or code of these texts is their standalone run of 4 to 6 digits; a phone number's groups are not
# (e.g. «0555 12 34 56»: each group touches another one across a space). Frozen here, as the texts were.
SECRET_RE = re.compile(r"(?<![0-9])(?<![0-9] )[0-9]{4,6}(?![0-9])(?! [0-9])")
BATCH = 500


def _starred(text: str) -> str:
    return SECRET_RE.sub(lambda match: "*" * len(match.group()), text)


def mask_secrets(apps, schema_editor):
    SmsMessage = apps.get_model("sms", "SmsMessage")
    messages = SmsMessage.objects.filter(kind__in=SECRET_KINDS).only("pk", "text", "status", "text_masked")
    batch = []
    for message in messages.iterator(chunk_size=BATCH):
        if message.status in FINAL_STATUSES:
            message.text, message.text_masked = _starred(message.text), ""
        else:
            message.text_masked = _starred(message.text)
        batch.append(message)
        if len(batch) == BATCH:
            SmsMessage.objects.bulk_update(batch, ["text", "text_masked"])
            batch = []
    if batch:
        SmsMessage.objects.bulk_update(batch, ["text", "text_masked"])


class Migration(migrations.Migration):
    dependencies = [
        ("sms", "0006_sms_at_rest"),
    ]

    # Backwards there is nothing to restore: the digits are gone, which is the point.
    operations = [migrations.RunPython(mask_secrets, migrations.RunPython.noop)]
