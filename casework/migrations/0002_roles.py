"""The case work's permissions for the console's roles: agents (and trainees, who hold the agent's part) check a
caller's identity, hand a case to the shift supervisor and keep notes; supervisors (and trainers) also close
escalations. Frozen here as audit/roles.py: ROLE_PERMISSIONS holds them at this point. After training 0003, which
makes «Стажер» with the agent's permissions as they were before this one."""

from django.db import migrations

from core.migration_permissions import permission_get_or_create

AGENT = ["casework.add_identitycheck", "casework.add_escalation", "casework.add_casenote"]
SUPERVISOR = [*AGENT, "casework.close_escalation"]
GRANTS = {"Агент": AGENT, "Стажер": AGENT, "Старший смены": SUPERVISOR, "Тренер": SUPERVISOR}


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name, codes in GRANTS.items():
        for group in Group.objects.filter(name=name):
            group.permissions.add(*[permission_get_or_create(apps, code) for code in codes])


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codes in GRANTS.items():
        for group in Group.objects.filter(name=name):
            for code in codes:
                app_label, codename = code.split(".")
                group.permissions.remove(*Permission.objects.filter(content_type__app_label=app_label, codename=codename))


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0001_initial"),
        ("staff", "0005_auditentry_to_audit"),
        ("training", "0003_trainee_role"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
