# ruff: noqa: E501
"""Kyrgyz and English for the judge of trainees' cases (training/rubrics.py, training/judging.py), the live board of a
class and the rubric on the run's page. Applied with `python locale/tools/apply_translations.py locale/tools/t_judging.py`
after `makemessages`."""

T = {
    # rubrics: the steps
    "Проверил личность": ("Инсандыгын текшерди", "Checked the caller's identity"),
    "Спросил поставщика о платеже": ("Төлөм тууралуу берүүчүдөн сурады", "Asked the provider about the payment"),
    "Платеж проведен, СОЧИ зачислил его один раз": (
        "Төлөм өткөрүлдү, СОЧИ аны бир жолу гана кабыл алды",
        "The payment is committed and СОЧИ credited it once",
    ),
    "Платеж отменен, деньги вернулись, SMS об отмене доставлено": (
        "Төлөм жокко чыгарылды, акча кайтты, жокко чыгаруу тууралуу SMS жеткирилди",
        "The payment is aborted, the money is back, the abort SMS is delivered",
    ),
    "Повторил SMS": ("SMSти кайра жөнөттү", "Resent the SMS"),
    "SMS с кодом платежа доставлено": ("Төлөм коду бар SMS жеткирилди", "The SMS with the payment code is delivered"),
    "Разблокировал PIN (или отправил новый)": (
        "PINди бөгөттөн чыгарды (же жаңысын жөнөттү)",
        "Unlocked the PIN (or sent a new one)",
    ),
    "PIN разблокирован и подходит": ("PIN бөгөттөн чыгарылды жана туура келет", "The PIN is unlocked and works"),
    "У кошелька есть вход на сайт": ("Капчыктын сайтка кирүүсү бар", "The wallet has a web sign-in"),
    "Клиент на сайте (или оплатил через сайт или приложение)": (
        "Кардар сайтта (же сайт же тиркеме аркылуу төлөдү)",
        "The customer is on the website (or paid on the website or in the app)",
    ),
    "Запросил возврат платежа": ("Төлөмдү кайтарууну сурады", "Requested the payment's refund"),
    "Платеж возвращен, одобрил другой сотрудник": (
        "Төлөм кайтарылды, башка кызматкер макулдады",
        "The payment is returned, approved by another staff member",
    ),
    "Передал старшему смены": ("Смена жетекчисине өткөрдү", "Handed over to the shift supervisor"),
    "Кошелек разблокирован старшим смены": (
        "Капчыкты смена жетекчиси бөгөттөн чыгарды",
        "The wallet is unblocked by the shift supervisor",
    ),
    # rubrics: the automatic fails
    "Запросил возврат платежа, который еще в обработке": (
        "Иштетилип жаткан төлөмдү кайтарууну сурады",
        "Requested a refund of a payment still in progress",
    ),
    "Запросил возврат платежа, который СОЧИ зачислил": (
        "СОЧИ кабыл алган төлөмдү кайтарууну сурады",
        "Requested a refund of a payment СОЧИ credited",
    ),
    "Второй платеж с кошелька клиента, пока первый в обработке": (
        "Биринчиси иштетилип жатканда кардардын капчыгынан экинчи төлөм",
        "A second payment from the customer's wallet while the first is in progress",
    ),
    "Разблокировал PIN без пройденной проверки личности перед этим": (
        "Алдында инсандыкты текшербей туруп PINди бөгөттөн чыгарды",
        "Unlocked the PIN without a passed identity check before it",
    ),
    "Снимал блокировку кошелька без права на это (попытки тоже считаются)": (
        "Укугу жок туруп капчыктын бөгөтүн алды (аракеттер да эсептелет)",
        "Lifted the wallet's block without the right to (attempts count too)",
    ),
    # rubrics: describe()
    "Шаги (всего %(total)s баллов):": ("Кадамдар (бардыгы %(total)s упай):", "Steps (%(total)s points in all):"),
    "• %(label)s — %(points)s б.": ("• %(label)s — %(points)s упай", "• %(label)s — %(points)s pts"),
    "Автоматический провал (0 баллов):": ("Автоматтык түрдө жыгылуу (0 упай):", "Automatic fail (0 points):"),
    "• %(label)s": ("• %(label)s", "• %(label)s"),
    "Время: %(minutes)s мин. с открытия случая; позже — «время вышло».": (
        "Убакыт: окуя ачылгандан тартып %(minutes)s мүн.; кечирээк — «убакыт бүттү».",
        "Time: %(minutes)s min. from opening the case; later, «time is up».",
    ),
    # the run's page and the class's board
    "Оценка": ("Баалоо", "Scoring"),
    "Доска группы": ("Топтун тактасы", "Class board"),
    "Доска группы «%(name)s»": ("«%(name)s» тобунун тактасы", "Board of the class «%(name)s»"),
    "Случаи стажеров и как они идут: статус, время, баллы, выполненные шаги и автоматические провалы. Доска обновляется сама каждые %(seconds)s с; статус меняется сам — по журналу действий, проводкам и реестру СОЧИ.": (
        "Стажерлордун окуялары жана алардын жүрүшү: абалы, убакыт, упайлар, аткарылган кадамдар жана автоматтык жыгылуулар. Такта ар бир %(seconds)s секунд сайын өзү жаңыланат; абалы өзү өзгөрөт — аракеттер журналы, проводкалар жана СОЧИнин реестри боюнча.",
        "The trainees' cases and how they are going: status, time, points, steps done and automatic fails. The board refreshes itself every %(seconds)s s; the status changes by itself, from the audit log, the books and СОЧИ's register.",
    ),
    "Время": ("Убакыт", "Time"),
    "Баллы": ("Упайлар", "Points"),
    "Шаги": ("Кадамдар", "Steps"),
    "Автоматический провал": ("Автоматтык түрдө жыгылуу", "Automatic fail"),
    "Случаев пока нет.": ("Окуялар азырынча жок.", "No cases yet."),
    "В группе нет стажеров.": ("Топто стажерлор жок.", "The class has no trainees."),
}
