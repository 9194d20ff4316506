"""The staff roles as Django groups. Django's own permissions decide what each role sees and may do; nothing is
open to plain is_staff."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

AGENT = [
    "wallet.view_wallet",
    "services.view_payment",
    "sms.view_smsmessage",
    "staff.view_auditentry",
    "staff.use_console",
    "wallet.unlock_pin",
    "wallet.unlock_sign_in",
    "wallet.send_new_pin",
    "wallet.block_wallet",
    "sms.resend_sms",
    "services.request_refund",
    "services.query_provider",
]
SUPERVISOR = AGENT + ["wallet.unblock_wallet", "services.approve_refund"]
TRAINER = SUPERVISOR + ["staff.run_training", "services.set_provider_fault"]
CASHIER = ["staff.use_cash_desk"]

ROLES = {"Агент": AGENT, "Старший смены": SUPERVISOR, "Тренер": TRAINER, "Кассир": CASHIER}


def create_roles(apps, schema_editor):
    # Permissions are made after migrations by default; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codes in ROLES.items():
        group, _created = Group.objects.get_or_create(name=name)
        permissions = []
        for code in codes:
            app_label, codename = code.split(".")
            permissions.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
        group.permissions.set(permissions)


def drop_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("staff", "0001_initial"),
        ("wallet", "0002_alter_wallet_options"),
        ("sms", "0003_alter_smsmessage_options"),
        ("services", "0005_alter_payment_options_alter_provider_options_and_more"),
    ]

    operations = [migrations.RunPython(create_roles, drop_roles)]
