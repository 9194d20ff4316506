"""last_response holds the screen's text only; whether the screen ended the session is the `ended` column, which
the engine reads instead of the "CON "/"END " that the text used to begin with. Stored sessions lose the prefix
(and `ended` is set from it, for a row written before the column was read)."""

from django.db import migrations, models

PREFIXES = {"CON ": False, "END ": True}


def text_only(apps, schema_editor):
    UssdSession = apps.get_model("ussd", "UssdSession")
    for prefix, ends in PREFIXES.items():
        for session in UssdSession.objects.filter(last_response__startswith=prefix).only("pk", "last_response"):
            UssdSession.objects.filter(pk=session.pk).update(
                last_response=session.last_response.removeprefix(prefix), ended=ends
            )


def with_prefix(apps, schema_editor):
    UssdSession = apps.get_model("ussd", "UssdSession")
    for session in UssdSession.objects.exclude(last_response="").only("pk", "last_response", "ended"):
        prefix = "END " if session.ended else "CON "
        UssdSession.objects.filter(pk=session.pk).update(last_response=prefix + session.last_response)


class Migration(migrations.Migration):
    dependencies = [("ussd", "0001_initial")]

    operations = [
        migrations.AlterField(
            model_name="ussdsession",
            name="last_response",
            field=models.TextField(blank=True, verbose_name="последний экран"),
        ),
        migrations.RunPython(text_only, with_prefix),
    ]
