# ruff: noqa: E501
"""Kyrgyz and English for the run's lifecycle (training/models.py) and the assignment's messages
(training/assignments.py, training/scenarios.py). Applied with
`python locale/tools/apply_translations.py locale/tools/t_runs.py`."""

T = {
    "В группе «%(name)s» нет активных стажеров.": (
        "«%(name)s» тобунда активдүү стажерлор жок.",
        "The class «%(name)s» has no active trainees.",
    ),
    "Стажер %(username)s не из группы «%(name)s».": (
        "%(username)s стажери «%(name)s» тобунан эмес.",
        "Trainee %(username)s is not in the class «%(name)s».",
    ),
    "Номера песочницы стажера %(username)s (%(operator)s) закончились.": (
        "%(username)s стажеринин кумкоргонундагы номерлер түгөндү (%(operator)s).",
        "Trainee %(username)s has no sandbox numbers left (%(operator)s).",
    ),
    "СОЧИ недоступен: компанию клиента не зарегистрировать (%(error)s).": (
        "СОЧИ жеткиликсиз: кардардын компаниясын каттоого мүмкүн эмес (%(error)s).",
        "СОЧИ is unreachable: the customer's company cannot be registered (%(error)s).",
    ),
    "назначен": ("дайындалды", "assigned"),
    "в работе": ("иштелүүдө", "in progress"),
    "провален": ("ийгиликсиз", "failed"),
    "время вышло": ("убакыт бүттү", "timed out"),
    "открыт стажером": ("стажер ачкан", "opened by the trainee"),
    "завершен": ("аяктады", "finished"),
    "лимит времени, с": ("убакыт чеги, сек", "time limit, s"),
    "баллы": ("упайлар", "score"),
    "шаги": ("кадамдар", "steps"),
    "автоматический провал": ("автоматтык түрдө ийгиликсиз", "automatic fail"),
    "«Я платил 800 сом за %(company)s, а пришло SMS, что платеж отменен. Деньги с меня списали?»": (
        "«Мен %(company)s үчүн 800 сом төлөдүм, бирок төлөм жокко чыгарылды деген SMS келди. Менден акча алындыбы?»",
        "«I paid 800 som for %(company)s, but an SMS said the payment was cancelled. Was the money taken from me?»",
    ),
    "«Хотел пополнить баланс %(company)s, а ошибся в ИНН: 2 000 сом ушли другой компании. Верните деньги.»": (
        "«%(company)s балансын толуктагым келген, бирок ИННде ката кетирдим: 2 000 сом башка компанияга кетти. Акчаны кайтарып бериңиз.»",
        "«I wanted to top up %(company)s, but I got the INN wrong: 2,000 som went to another company. Give the money back.»",
    ),
}
