# ruff: noqa: E501
"""Kyrgyz and English for the trainer's assigning form on a class's board (training/forms.py, training/views.py,
templates/training/class_board.html), the rubric on the scenario board (templates/training/board.html) and the
trainer's part of the guide (training/guide.py). Applied with
`python locale/tools/apply_translations.py locale/tools/t_board.py` after makemessages."""

T = {
    # training/forms.py
    "Случай": ("Окуя", "Case"),
    "Кому": ("Кимге", "To"),
    "всем стажерам группы": ("топтун бардык стажерлоруна", "all trainees of the class"),
    # training/views.py
    "Случай «%(scenario)s» назначен: %(trainees)s.": (
        "«%(scenario)s» окуясы дайындалды: %(trainees)s.",
        "The case «%(scenario)s» was assigned: %(trainees)s.",
    ),
    "Не удалось подготовить случай для %(username)s: %(error)s": (
        "%(username)s үчүн окуяны даярдоо мүмкүн болгон жок: %(error)s",
        "The case could not be staged for %(username)s: %(error)s",
    ),
    # templates/training/class_board.html
    "Назначить случай": ("Окуяны дайындоо", "Assign a case"),
    "Как <code>python manage.py training_assign</code>: каждый стажер получает случай в своей песочнице — своего клиента (новый кошелек из своего блока номеров) и, для случаев с оплатой DosTek group, свою компанию в СОЧИ. Что оценивается — на доске сценариев, у каждого сценария.": (
        "<code>python manage.py training_assign</code> сыяктуу: ар бир стажер окуяны өзүнүн кумсалгычында алат — өз кардарын (өз номер блогунан жаңы капчык) жана DosTek group төлөмү бар окуялар үчүн СОЧИдеги өз компаниясын. Эмне бааланары — сценарийлер тактасында, ар бир сценарийде.",
        "Like <code>python manage.py training_assign</code>: each trainee gets the case in their own sandbox — a customer of their own (a new wallet of their number block) and, for the cases paying DosTek group, a company of their own at СОЧИ. What is scored is on the scenario board, under each scenario.",
    ),
    "Назначить": ("Дайындоо", "Assign"),
    # templates/training/board.html
    "Оценка стажера": ("Стажерди баалоо", "How the trainee is scored"),
    # training/guide.py
    "Для тренера: как оцениваются учебные случаи": (
        "Тренер үчүн: окуу окуялары кантип бааланат",
        "For the trainer: how training cases are scored",
    ),
    "Каждый случай, назначенный стажеру, оценивается сам: шаги — по журналу действий стажера на кошельке клиента после того, как он открыл обращение, результат — по состоянию (проводки, реестр СОЧИ, SMS). Автоматический провал ставит 0 баллов и завершает случай; после лимита времени случай «время вышло».": (
        "Стажерге дайындалган ар бир окуя өзү бааланат: кадамдар — стажер кайрылууну ачкандан кийин кардардын капчыгындагы аракеттер журналы боюнча, натыйжа — абал боюнча (проводкалар, СОЧИ реестри, SMS). Автоматтык түрдө жыгылуу 0 упай коюп, окуяны аяктайт; убакыт чегинен кийин окуя «убакыт бүттү» болот.",
        "Every case assigned to a trainee is scored by itself: the steps from the trainee's actions in the audit log on the customer's wallet after they opened the case, the outcome from the state (postings, СОЧИ's register, SMS). An automatic fail scores 0 and ends the case; after the time limit the case is «timed out».",
    ),
}
