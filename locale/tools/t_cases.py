# ruff: noqa: E501
"""Kyrgyz and English for issue 17 parts 2 and 4: the trainee's scope (StaffScope), «Мои обращения» and the caller's
card, and what the console says instead of a gateway's raw error to a trainee. Applied with
`python locale/tools/apply_translations.py locale/tools/t_cases.py`."""

T = {
    # the scope
    "ограничение доступа сотрудника": ("кызматкердин жеткиликтүүлүк чеги", "staff access limit"),
    "ограничения доступа сотрудников": ("кызматкерлердин жеткиликтүүлүк чектери", "staff access limits"),
    "начала номеров": ("номерлердин башталышы", "number prefixes"),
    "Номера кошельков, которые сотрудник видит, начинаются с одного из них (+99655590010…).": (
        "Кызматкер көргөн капчыктардын номерлери ушулардын бири менен башталат (+99655590010…).",
        "The wallet numbers the staff member sees start with one of these (+99655590010…).",
    ),
    "Этот кошелек вне вашего доступа.": (
        "Бул капчык сиздин жеткиликтүүлүгүңүздөн тышкары.",
        "This wallet is outside your access.",
    ),
    # what a trainee reads instead of a raw gateway error
    "SMS-шлюз не смог доставить сообщение: абонент недоступен.": (
        "SMS-шлюз билдирүүнү жеткире алган жок: абонент жеткиликсиз.",
        "The SMS gateway could not deliver the message: the subscriber is unreachable.",
    ),
    "Ошибка связи со шлюзом.": ("Шлюз менен байланыш катасы.", "Gateway connection error."),
    "Поставщик не ответил (нет связи или ответ потерян).": (
        "Жабдуучу жооп берген жок (байланыш жок же жооп жоголгон).",
        "The provider did not answer (no connection or the answer was lost).",
    ),
    # «Мои обращения» and the caller's card
    "Мои обращения": ("Менин кайрылууларым", "My cases"),
    "Ваши клиенты — номера %(block)s (и те же блоки Beeline и O!). Откройте обращение, когда будете готовы: с этого момента идет время.": (
        "Сиздин кардарларыңыз — %(block)s номерлери (жана Beeline менен O! ушундай эле блоктору). Даяр болгондо кайрылууну ачыңыз: ошол учурдан тартып убакыт жүрөт.",
        "Your customers are the numbers %(block)s (and the same blocks of Beeline and O!). Open a case when you are ready: the clock starts then.",
    ),
    "Обращение": ("Кайрылуу", "Case"),
    "Назначено": ("Дайындалды", "Assigned"),
    "Баллы": ("Упайлар", "Points"),
    "Принять звонок": ("Чалууну кабыл алуу", "Take the call"),
    "Открыть": ("Ачуу", "Open"),
    "Обращений пока нет. Тренер назначит их.": (
        "Азырынча кайрылуулар жок. Тренер аларды дайындайт.",
        "No cases yet. The trainer will assign them.",
    ),
    "Звонит": ("Чалып жатат", "Calling"),
    "Клиент говорит": ("Кардар айтат", "The customer says"),
    "Карточка клиента": ("Кардардын карточкасы", "Customer card"),
    "Найти в поиске": ("Издөөдөн табуу", "Find in search"),
    "Время": ("Убакыт", "Time"),
    "Звонок принят в %(when)s.": ("Чалуу %(when)s кабыл алынды.", "Call taken at %(when)s."),
    "Прошло минут: %(n)s.": ("Өткөн мүнөттөр: %(n)s.", "Minutes passed: %(n)s."),
    "Осталось минут: %(n)s.": ("Калган мүнөттөр: %(n)s.", "Minutes left: %(n)s."),
    "Обновить": ("Жаңылоо", "Refresh"),
    "создан": ("түзүлгөн", "created"),
}
