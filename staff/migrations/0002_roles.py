"""The staff roles as Django groups. Django's own permissions decide what each role sees and may do; nothing is
open to plain is_staff."""

from django.db import migrations

from core.migration_permissions import permission_get_or_create

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
    # Permissions are made after migrations by default; the groups need them now (from the models as they were
    # here: the audit log was still the staff app's).
    Group = apps.get_model("auth", "Group")
    for name, codes in ROLES.items():
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.set([permission_get_or_create(apps, code) for code in codes])


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
