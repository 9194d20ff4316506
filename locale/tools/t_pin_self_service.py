# ruff: noqa: E501
"""Kyrgyz and English for the holder's own PIN (issue 19): the change and the forgotten PIN in the cabinet, the app
and the API, and the PIN SMS that names the website and the app for O! numbers. Applied with
`python locale/tools/apply_translations.py locale/tools/t_pin_self_service.py`."""

T = {
    # the SMS with a PIN, for O! (no *900#)
    "Кошелек ЭЛСОМ %(phone)s открыт. Ваш PIN: %(pin)s. Смените его на сайте elsom.kg или в приложении ЭЛСОМ, раздел «PIN».": (
        "ЭЛСОМ капчыгы %(phone)s ачылды. Сиздин PIN: %(pin)s. Аны elsom.kg сайтында же ЭЛСОМ тиркемесинде алмаштырыңыз, «PIN» бөлүмү.",
        "ELSOM wallet %(phone)s is open. Your PIN: %(pin)s. Change it on elsom.kg or in the ELSOM app, section «PIN».",
    ),
    "Новый PIN кошелька ЭЛСОМ: %(pin)s. Смените его на сайте elsom.kg или в приложении ЭЛСОМ, раздел «PIN». Call-центр: %(phone)s.": (
        "ЭЛСОМ капчыгынын жаңы PIN: %(pin)s. Аны elsom.kg сайтында же ЭЛСОМ тиркемесинде алмаштырыңыз, «PIN» бөлүмү. Call-борбор: %(phone)s.",
        "New ELSOM wallet PIN: %(pin)s. Change it on elsom.kg or in the ELSOM app, section «PIN». Call centre: %(phone)s.",
    ),
    # the code of a forgotten PIN
    "восстановление PIN": ("PIN калыбына келтирүү", "PIN recovery"),
    "Код для восстановления PIN ЭЛСОМ: %(code)s. Действует 5 минут. Никому его не сообщайте.": (
        "ЭЛСОМ PIN калыбына келтирүү коду: %(code)s. 5 мүнөт жарактуу. Аны эч кимге айтпаңыз.",
        "ELSOM PIN recovery code: %(code)s. Valid for 5 minutes. Do not share it with anyone.",
    ),
    "ИНН не совпадает с личным ИНН владельца кошелька. Осталось попыток: %(left)s.": (
        "ИНН капчык ээсинин жеке ИНН менен дал келбейт. Калган аракеттер: %(left)s.",
        "The INN does not match the wallet holder's personal INN. Attempts left: %(left)s.",
    ),
    "ИНН не совпадает с личным ИНН владельца кошелька. Код больше не действует: запросите новый код.": (
        "ИНН капчык ээсинин жеке ИНН менен дал келбейт. Код мындан ары жараксыз: жаңы код сураңыз.",
        "The INN does not match the wallet holder's personal INN. The code no longer works: request a new code.",
    ),
    # the console
    "новый PIN по SMS-коду и ИНН (сам клиент)": (
        "SMS-код жана ИНН боюнча жаңы PIN (кардардын өзү)",
        "new PIN by SMS code and INN (the customer)",
    ),
    # the cabinet and the app
    "Смена PIN": ("PIN алмаштыруу", "Change PIN"),
    "Текущий PIN": ("Учурдагы PIN", "Current PIN"),
    "Новый PIN": ("Жаңы PIN", "New PIN"),
    "Повторите новый PIN": ("Жаңы PIN'ди кайталаңыз", "Repeat the new PIN"),
    "4 цифры; не 0000, 1234 и другие простые.": (
        "4 сан; 0000, 1234 жана башка жөнөкөйлөр эмес.",
        "4 digits; not 0000, 1234 or other easy ones.",
    ),
    "Сохранить PIN": ("PIN'ди сактоо", "Save PIN"),
    "PIN подтверждает платежи на сайте, в приложении и по *900#. После 3 неверных вводов PIN блокируется.": (
        "PIN сайттагы, тиркемедеги жана *900# аркылуу төлөмдөрдү ырастайт. 3 туура эмес киргизүүдөн кийин PIN бөгөттөлөт.",
        "The PIN confirms payments on the website, in the app and on *900#. After 3 wrong entries the PIN is locked.",
    ),
    "Забыли PIN?": ("PIN'ди унуттуңузбу?", "Forgot your PIN?"),
    "Забыли PIN кошелька?": ("Капчыктын PIN'ин унуттуңузбу?", "Forgot your wallet PIN?"),
    "Забыли PIN? Новый по SMS-коду и ИНН": (
        "PIN'ди унуттуңузбу? SMS-код жана ИНН боюнча жаңысы",
        "Forgot your PIN? A new one by SMS code and INN",
    ),
    "На номер кошелька придет SMS-код. Введите его и ваш личный ИНН: новый PIN придет в SMS.": (
        "Капчыктын номерине SMS-код келет. Аны жана жеке ИНН'иңизди киргизиңиз: жаңы PIN SMS менен келет.",
        "An SMS code will come to the wallet's number. Enter it and your personal INN: a new PIN will come by SMS.",
    ),
    "Введите код из SMS, отправленного на номер %(national)s, и личный ИНН владельца кошелька.": (
        "%(national)s номерине жөнөтүлгөн SMS'теги кодду жана капчык ээсинин жеке ИНН'ин киргизиңиз.",
        "Enter the code from the SMS sent to %(national)s and the wallet holder's personal INN.",
    ),
    "Получить новый PIN": ("Жаңы PIN алуу", "Get a new PIN"),
    "Новый PIN отправлен в SMS на номер %(phone)s.": (
        "Жаңы PIN %(phone)s номерине SMS менен жөнөтүлдү.",
        "A new PIN was sent by SMS to %(phone)s.",
    ),
}
