"""The call-centre roles see the devices signed in to the app and may sign one out (a lost phone)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PERMISSIONS = ["view_devicetoken", "revoke_devicetoken"]
ROLES = ["Агент", "Старший смены", "Тренер"]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("api")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = list(Permission.objects.filter(content_type__app_label="api", codename__in=PERMISSIONS))
    for group in Group.objects.filter(name__in=ROLES):
        group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = list(Permission.objects.filter(content_type__app_label="api", codename__in=PERMISSIONS))
    for group in Group.objects.filter(name__in=ROLES):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [("api", "0001_initial"), ("staff", "0002_roles")]

    operations = [migrations.RunPython(grant, revoke)]
