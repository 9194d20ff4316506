"""The seed's catalog: web «Услуги» -> «Другие» -> «DosTek group»; USSD 3 -> 3 -> 14 «Другие услуги» -> 14
«Достэк»; plus the system ledger accounts and a few other real-looking services."""

from decimal import Decimal

from django.db import migrations

SYSTEM_ACCOUNTS = [
    ("fees:commission", "fees", "Комиссионный доход", True),
    ("hold:payments", "hold", "Зарезервированные средства платежей", False),
    ("cashin:kicb-branch", "cash_in", "KICB, отделение банка", True),
    ("cashin:kicb-terminal", "cash_in", "KICB, терминал", True),
    ("cashin:mobilnik", "cash_in", "Мобильник, терминал", True),
    ("cashin:qiwi", "cash_in", "QIWI, терминал", True),
]

PROVIDERS = [
    ("dostek", "DosTek group", "0312 960 888"),
    ("megacom", "Megacom", "0550 58 00 00"),
    ("beeline", "Beeline", "0770 60 06 11"),
    ("o", "O!", "0700 000 500"),
    ("aknet", "Aknet", "0312 55 55 55"),
    ("saima", "Saima Telecom", "0312 90 94 94"),
    ("gazprom", "Газпром Кыргызстан", "0312 61 76 76"),
    ("severelectro", "Северэлектро", "0312 62 48 93"),
    ("vodokanal", "Бишкекводоканал", "0312 54 03 82"),
]

# slug, name, ky, en, ussd name, ussd ky, ussd number, position
CATEGORIES = [
    ("mobile", "Мобильная связь", "Мобилдик байланыш", "Mobile", "Мобильная связь", "Мобилдик байланыш", 1, 10),
    ("internet", "Интернет и ТВ", "Интернет жана ТВ", "Internet and TV", "Интернет и ТВ", "Интернет жана ТВ", 2, 20),
    ("utilities", "Коммунальные услуги", "Коммуналдык кызматтар", "Utilities", "Комм. услуги", "Коммуналдык", 3, 30),
    ("other", "Другие", "Башкалар", "Other", "Другие услуги", "Башка кызматтар", 14, 90),
]

# category, provider, slug, name, ussd name, ussd no, position, account label (ru, ky, en), rule, min len, max len,
# min amount, max amount, commission fixed, commission percent
SERVICES = [
    ("other", "dostek", "dostek", "DosTek group", "Достэк", 14, 10,
     ("ИНН компании", "Компаниянын ИНН", "Company INN"), "payer_inn", 14, 14, "10.00", "100000.00", "0.00", "0.00"),
    ("mobile", "megacom", "megacom", "Megacom", "Megacom", 1, 10,
     ("Номер телефона", "Телефон номери", "Phone number"), "mobile_phone", 9, 13, "10.00", "5000.00", "0.00", "0.00"),
    ("mobile", "beeline", "beeline", "Beeline", "Beeline", 2, 20,
     ("Номер телефона", "Телефон номери", "Phone number"), "mobile_phone", 9, 13, "10.00", "5000.00", "0.00", "0.00"),
    ("mobile", "o", "o", "O!", "O!", 3, 30,
     ("Номер телефона", "Телефон номери", "Phone number"), "mobile_phone", 9, 13, "10.00", "5000.00", "0.00", "0.00"),
    ("internet", "aknet", "aknet", "Aknet", "Aknet", 1, 10,
     ("Лицевой счет", "Эсеп", "Account number"), "digits", 5, 10, "50.00", "20000.00", "5.00", "0.00"),
    ("internet", "saima", "saima", "Saima Telecom", "Saima", 2, 20,
     ("Лицевой счет", "Эсеп", "Account number"), "digits", 6, 8, "50.00", "20000.00", "0.00", "1.00"),
    ("utilities", "gazprom", "gazprom", "Газпром Кыргызстан", "Газ", 1, 10,
     ("Лицевой счет", "Эсеп", "Account number"), "digits", 8, 12, "20.00", "50000.00", "0.00", "0.50"),
    ("utilities", "severelectro", "severelectro", "Северэлектро", "Свет", 2, 20,
     ("Лицевой счет", "Эсеп", "Account number"), "digits", 7, 12, "20.00", "50000.00", "3.00", "0.00"),
    ("utilities", "vodokanal", "vodokanal", "Бишкекводоканал", "Вода", 3, 30,
     ("Лицевой счет", "Эсеп", "Account number"), "digits", 6, 10, "20.00", "50000.00", "0.00", "0.00"),
]


def seed(apps, schema_editor):
    LedgerAccount = apps.get_model("ledger", "LedgerAccount")
    Provider = apps.get_model("services", "Provider")
    Category = apps.get_model("services", "Category")
    Service = apps.get_model("services", "Service")

    for code, kind, name, may_go_negative in SYSTEM_ACCOUNTS:
        LedgerAccount.objects.get_or_create(
            code=code, defaults={"kind": kind, "name": name, "may_go_negative": may_go_negative}
        )
    providers = {}
    for code, name, phone in PROVIDERS:
        account, _ = LedgerAccount.objects.get_or_create(
            code=f"provider:{code}", defaults={"kind": "provider", "name": name, "may_go_negative": True}
        )
        providers[code], _ = Provider.objects.get_or_create(
            code=code, defaults={"name": name, "settlement_account": account, "call_centre_phone": phone}
        )
    categories = {}
    for slug, name, ky, en, ussd, ussd_ky, number, position in CATEGORIES:
        categories[slug], _ = Category.objects.get_or_create(
            slug=slug,
            defaults={"name": name, "name_ky": ky, "name_en": en, "ussd_name": ussd, "ussd_name_ky": ussd_ky,
                      "ussd_number": number, "position": position},
        )
    for (category, provider, slug, name, ussd, number, position, labels, rule, min_len, max_len,
         min_amount, max_amount, fixed, percent) in SERVICES:
        Service.objects.get_or_create(
            slug=slug,
            defaults={
                "category": categories[category], "provider": providers[provider], "name": name,
                "ussd_name": ussd, "ussd_number": number, "position": position,
                "account_label": labels[0], "account_label_ky": labels[1], "account_label_en": labels[2],
                "account_rule": rule, "account_min_length": min_len, "account_max_length": max_len,
                "min_amount": Decimal(min_amount), "max_amount": Decimal(max_amount),
                "commission_fixed": Decimal(fixed), "commission_percent": Decimal(percent),
            },
        )


class Migration(migrations.Migration):
    dependencies = [("services", "0001_initial"), ("ledger", "0002_append_only_triggers")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
