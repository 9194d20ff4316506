"""The «Стажер» role: a trainee's staff user works the console with the agent's permissions (a later step limits
them to the trainee's sandbox). Frozen here as the agent held them at this point (audit/roles.py: ROLE_PERMISSIONS)."""

from django.db import migrations

from core.migration_permissions import permission_get_or_create

TRAINEE = "Стажер"
PERMISSIONS = [
    "wallet.view_wallet",
    "services.view_payment",
    "sms.view_smsmessage",
    "audit.view_auditentry",
    "audit.use_console",
    "wallet.unlock_pin",
    "wallet.unlock_sign_in",
    "wallet.send_new_pin",
    "wallet.block_wallet",
    "sms.resend_sms",
    "services.request_refund",
    "services.query_provider",
    "api.view_devicetoken",
    "api.revoke_devicetoken",
]


def create_role(apps, schema_editor):
    group, _created = apps.get_model("auth", "Group").objects.get_or_create(name=TRAINEE)
    group.permissions.set([permission_get_or_create(apps, code) for code in PERMISSIONS])


def drop_role(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=TRAINEE).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("training", "0002_classes_and_trainees"),
        ("audit", "0003_classroom_and_casework_actions"),
        ("api", "0002_roles"),
        ("staff", "0005_auditentry_to_audit"),
    ]

    operations = [migrations.RunPython(create_role, drop_role)]
