# ruff: noqa: E501
"""Kyrgyz and English for the console's case work (issue 17 part 5): the caller's identity check, escalations to
the shift supervisor, case notes. Applied with `python locale/tools/apply_translations.py locale/tools/t_casework.py`."""

T = {
    # casework/apps.py, models.py
    "Работа с обращениями": ("Кайрылуулар менен иш", "Case work"),
    "имя и фамилия": ("аты-жөнү", "name and surname"),
    "личный ИНН (или его последние 4 цифры)": (
        "жеке ИСН (же анын акыркы 4 цифрасы)",
        "personal INN (or its last 4 digits)",
    ),
    "последнее пополнение (сумма или дата)": ("акыркы толуктоо (суммасы же күнү)", "the last top-up (amount or date)"),
    "кошелек": ("капчык", "wallet"),
    "сотрудник": ("кызматкер", "staff member"),
    "Пусто — система.": ("Бош — система.", "Empty: the system."),
    "верно назвал имя и фамилию": ("аты-жөнүн туура айтты", "named the name and surname correctly"),
    "верно назвал личный ИНН": ("жеке ИСНди туура айтты", "named the personal INN correctly"),
    "верно назвал последнее пополнение": ("акыркы толуктоону туура айтты", "named the last top-up correctly"),
    "личность подтверждена": ("инсандыгы тастыкталды", "identity confirmed"),
    "когда": ("качан", "when"),
    "проверка личности": ("инсандыкты текшерүү", "identity check"),
    "проверки личности": ("инсандыкты текшерүүлөр", "identity checks"),
    "ждет старшего смены": ("смена жетекчисин күтүүдө", "waiting for the shift supervisor"),
    "закрыто": ("жабылды", "closed"),
    "платеж": ("төлөм", "payment"),
    "что передано": ("эмне берилди", "what was handed over"),
    "передал": ("берген", "handed over by"),
    "когда передано": ("качан берилди", "handed over at"),
    "статус": ("абалы", "status"),
    "закрыл": ("жапкан", "closed by"),
    "когда закрыто": ("качан жабылды", "closed at"),
    "решение": ("чечим", "resolution"),
    "обращение к старшему смены": ("смена жетекчисине кайрылуу", "escalation to the shift supervisor"),
    "обращения к старшему смены": ("смена жетекчисине кайрылуулар", "escalations to the shift supervisor"),
    "Закрывать обращения, переданные старшему смены": (
        "Смена жетекчисине берилген кайрылууларды жабуу",
        "Close escalations handed to the shift supervisor",
    ),
    "автор": ("автор", "author"),
    "текст": ("текст", "text"),
    "заметка по обращению": ("кайрылуу боюнча эскертме", "case note"),
    "заметки по обращениям": ("кайрылуулар боюнча эскертмелер", "case notes"),
    # casework/identity.py, operations.py
    "Сначала проверьте личность звонящего: на карточке клиента отметьте, что он назвал верно (имя и фамилию, личный ИНН или его последние 4 цифры, последнее пополнение) — нужно не меньше двух из трех. Проверка действует 15 минут и только для того, кто ее провел.": (
        "Адегенде чалып жаткандын инсандыгын текшериңиз: кардардын карточкасында ал эмнени туура айтканын белгилеңиз (аты-жөнү, жеке ИСН же анын акыркы 4 цифрасы, акыркы толуктоо) — үчөөнүн жок дегенде экөөсү керек. Текшерүү 15 мүнөт жана аны жүргүзгөн адам үчүн гана жарактуу.",
        "First check the caller's identity: on the customer's card, mark what they named correctly (name and surname, the personal INN or its last 4 digits, the last top-up): at least two of three are needed. The check is valid for 15 minutes and only for whoever made it.",
    ),
    "Это обращение уже закрыто.": ("Бул кайрылуу жабылып калган.", "This escalation is already closed."),
    # staff/forms.py
    "Напишите текст (не короче 3 символов).": (
        "Текст жазыңыз (3 белгиден кем эмес).",
        "Write the text (at least 3 characters).",
    ),
    "Сохранить": ("Сактоо", "Save"),
    "Клиент верно назвал": ("Кардар туура айтты", "The customer named correctly"),
    "Нужно два из трех. Проверка действует 15 минут и только для вас.": (
        "Үчөөнүн экөөсү керек. Текшерүү 15 мүнөт жана сиз үчүн гана жарактуу.",
        "Two of three are needed. The check is valid for 15 minutes and only for you.",
    ),
    "Записать проверку": ("Текшерүүнү жазуу", "Record the check"),
    "Что передать старшему смены": ("Смена жетекчисине эмнени берүү керек", "What to hand to the shift supervisor"),
    "Что случилось и что уже сделано.": ("Эмне болду жана эмне жасалды.", "What happened and what has been done."),
    "Передать старшему смены": ("Смена жетекчисине берүү", "Hand to the shift supervisor"),
    "Заметка": ("Эскертме", "Note"),
    "Добавить заметку": ("Эскертме кошуу", "Add a note"),
    "Решение": ("Чечим", "Resolution"),
    "Что решено и что сказано клиенту; агент увидит это в журнале.": (
        "Эмне чечилди жана кардарга эмне айтылды; агент муну журналдан көрөт.",
        "What was decided and what the customer was told; the agent will see it in the log.",
    ),
    "Закрыть обращение": ("Кайрылууну жабуу", "Close the escalation"),
    # staff/casework.py
    "Личность подтверждена (верно %(n)d из 3). Следующие 15 минут вы можете действовать по этому кошельку.": (
        "Инсандыгы тастыкталды (3төн %(n)d туура). Кийинки 15 мүнөттө бул капчык боюнча аракет кыла аласыз.",
        "Identity confirmed (%(n)d of 3 right). For the next 15 minutes you may act on this wallet.",
    ),
    "Проверка не пройдена: верно %(n)d из 3, нужно два. PIN, вход на сайт, блокировка и возврат недоступны.": (
        "Текшерүүдөн өткөн жок: 3төн %(n)d туура, экөө керек. PIN, сайтка кирүү, бөгөттөө жана кайтаруу жеткиликсиз.",
        "The check failed: %(n)d of 3 right, two are needed. PIN, web sign-in, blocking and refunds are unavailable.",
    ),
    "Обращение передано старшему смены.": (
        "Кайрылуу смена жетекчисине берилди.",
        "The case was handed to the shift supervisor.",
    ),
    "Заметка добавлена.": ("Эскертме кошулду.", "Note added."),
    "Обращение закрыто.": ("Кайрылуу жабылды.", "The escalation is closed."),
    # templates/staff/_casework.html, action.html, base.html, escalations.html, escalation_close.html
    "Проверка личности": ("Инсандыкты текшерүү", "Identity check"),
    "Вы проверили личность в %(at)s: PIN, вход на сайт, блокировка и возврат доступны 15 минут.": (
        "Сиз инсандыкты %(at)s текшердиңиз: PIN, сайтка кирүү, бөгөттөө жана кайтаруу 15 мүнөт жеткиликтүү.",
        "You checked the identity at %(at)s: PIN, web sign-in, blocking and refunds are available for 15 minutes.",
    ),
    "Вы еще не проверили личность звонящего (или проверка старше 15 минут): PIN, вход на сайт, блокировка и возврат недоступны.": (
        "Сиз чалып жаткандын инсандыгын азырынча текшере элексиз (же текшерүү 15 мүнөттөн эски): PIN, сайтка кирүү, бөгөттөө жана кайтаруу жеткиликсиз.",
        "You have not checked the caller's identity yet (or the check is older than 15 minutes): PIN, web sign-in, blocking and refunds are unavailable.",
    ),
    "Последняя проверка": ("Акыркы текшерүү", "Last check"),
    "система": ("система", "system"),
    "пройдена": ("өттү", "passed"),
    "не пройдена": ("өткөн жок", "failed"),
    "верно %(n)s из 3": ("3төн %(n)s туура", "%(n)s of 3 right"),
    "Проверок личности еще не было.": ("Инсандыкты текшерүү азырынча болгон эмес.", "No identity checks yet."),
    "Заметки": ("Эскертмелер", "Notes"),
    "Заметок нет.": ("Эскертмелер жок.", "No notes."),
    "Перейти к проверке личности": ("Инсандыкты текшерүүгө өтүү", "Go to the identity check"),
    "Обращения старшему смены": ("Смена жетекчисине кайрылуулар", "Escalations to the shift supervisor"),
    "Случаи, которые агенты передали старшему смены. Закройте обращение с решением: агент увидит его в журнале клиента.": (
        "Агенттер смена жетекчисине берген учурлар. Кайрылууну чечим менен жабыңыз: агент аны кардардын журналынан көрөт.",
        "Cases the agents handed to the shift supervisor. Close an escalation with a resolution: the agent will see it in the customer's log.",
    ),
    "Передано": ("Берилди", "Handed over"),
    "Клиент": ("Кардар", "Customer"),
    "Кто и что": ("Ким жана эмне", "Who and what"),
    "Закрыть": ("Жабуу", "Close"),
    "Открытых обращений нет.": ("Ачык кайрылуулар жок.", "No open escalations."),
    "Недавно закрыты": ("Жакында жабылгандар", "Closed lately"),
    "← Назад": ("← Артка", "← Back"),
}
