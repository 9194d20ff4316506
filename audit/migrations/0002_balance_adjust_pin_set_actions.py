"""Two training actions join the audit log's choices: a balance set by hand (wallet_balance_adjust) and the demo PIN
put back (wallet_pin_set). Choices only: no row changes."""

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
    ("balance_adjust", "корректировка баланса (учеба)"),
    ("pin_set", "демо-PIN восстановлен (учеба)"),
]


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [
        migrations.AlterField(
            model_name="auditentry",
            name="action",
            field=models.CharField(choices=ACTIONS, max_length=20, verbose_name="действие"),
        ),
    ]
