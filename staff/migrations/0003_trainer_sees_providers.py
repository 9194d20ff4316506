"""The trainer switches provider faults from the admin: the role needs to see the providers' list for that."""

from django.db import migrations

from core.migration_permissions import permission_get_or_create


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    view = permission_get_or_create(apps, "services.view_provider")
    for group in Group.objects.filter(name="Тренер"):
        group.permissions.add(view)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    view = Permission.objects.get(content_type__app_label="services", codename="view_provider")
    for group in Group.objects.filter(name="Тренер"):
        group.permissions.remove(view)


class Migration(migrations.Migration):
    dependencies = [("staff", "0002_roles")]

    operations = [migrations.RunPython(grant, revoke)]
