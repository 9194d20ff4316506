"""The audit log taken over from the console app (staff) with its table `staff_auditentry`: no data moves. The
model's content type is renamed too, so its permissions (use_console, run_training, use_cash_desk,
view_auditentry) keep their rows and the roles that hold them; they are now checked as `audit.<codename>`."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

ACTIONS = [
    ("pin_unlock", "разблокировка PIN"),
    ("sign_in_unlock", "снятие блокировки входа на сайт"),
    ("wallet_block", "блокировка кошелька"),
    ("wallet_unblock", "разблокировка кошелька"),
    ("sms_resend", "повторная отправка SMS"),
    ("pin_reset", "новый PIN по SMS"),
    ("refund_request", "запрос на возврат платежа"),
    ("refund_approve", "возврат платежа одобрен"),
    ("refund_reject", "возврат платежа отклонен"),
    ("provider_query", "запрос к поставщику"),
    ("provider_fault", "сбой поставщика (тренировка)"),
    ("cash_in", "пополнение в кассе"),
    ("scenario_start", "запуск сценария"),
    ("scenario_reset", "сброс сценария"),
    ("training_reset", "сброс учебных данных"),
    ("device_revoke", "отзыв входа в приложение"),
]


def content_type_to_audit(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="audit", model="auditentry").exists():
        ContentType.objects.filter(app_label="staff", model="auditentry").update(app_label="audit")


def content_type_to_staff(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="staff", model="auditentry").exists():
        ContentType.objects.filter(app_label="audit", model="auditentry").update(app_label="staff")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("services", "0008_refund_requests"),
        ("staff", "0005_auditentry_to_audit"),
        ("wallet", "0003_app_and_web_opening"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AuditEntry",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("action", models.CharField(choices=ACTIONS, max_length=20, verbose_name="действие")),
                        ("reason", models.TextField(verbose_name="причина")),
                        ("before", models.JSONField(blank=True, default=dict, verbose_name="до")),
                        ("after", models.JSONField(blank=True, default=dict, verbose_name="после")),
                        ("created_at", models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="когда")),
                        (
                            "actor",
                            models.ForeignKey(
                                blank=True,
                                help_text="Пусто — действие системы (демо-данные, сценарий).",
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="audit_entries",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="сотрудник",
                            ),
                        ),
                        (
                            "payment",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="audit_entries",
                                to="services.payment",
                                verbose_name="платеж",
                            ),
                        ),
                        (
                            "wallet",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="audit_entries",
                                to="wallet.wallet",
                                verbose_name="кошелек",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "запись журнала действий",
                        "verbose_name_plural": "журнал действий персонала",
                        "db_table": "staff_auditentry",
                        "ordering": ["-created_at", "-id"],
                        "permissions": [
                            ("use_console", "Работать в консоли call-центра"),
                            ("run_training", "Запускать учебные сценарии"),
                            ("use_cash_desk", "Работать в кассе (пополнение кошельков)"),
                        ],
                    },
                ),
            ],
        ),
        migrations.RunPython(content_type_to_audit, content_type_to_staff),
    ]
