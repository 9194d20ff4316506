# ruff: noqa: E501
"""Kyrgyz and English for classes and trainees (issue 17, part 1): the models, training/classes.py, the classes
page of the trainer board. Applied with `python locale/tools/apply_translations.py locale/tools/t_classroom.py`
after makemessages."""

T = {
    # training/models.py
    "создал": ("түзгөн", "created by"),
    "создана": ("түзүлгөн", "created"),
    "учебная группа": ("окуу тобу", "class"),
    "учебные группы": ("окуу топтору", "classes"),
    "песочница": ("кумсалгыч", "sandbox"),
    "Блок номеров кошельков стажера: +996 555 9БББ 00…99.": (
        "Стажердин капчык номерлеринин блогу: +996 555 9БББ 00…99.",
        "The trainee's block of wallet numbers: +996 555 9BBB 00…99.",
    ),
    "стажер": ("стажер", "trainee"),
    "стажеры": ("стажерлор", "trainees"),
    # training/classes.py
    "Укажите название группы.": ("Топтун аталышын жазыңыз.", "Enter the class's name."),
    "Название группы не длиннее %(max)s символов.": (
        "Топтун аталышы %(max)s белгиден ашпашы керек.",
        "The class's name is at most %(max)s characters.",
    ),
    "Группа «%(name)s» уже есть.": ("«%(name)s» тобу мурунтан эле бар.", "The class «%(name)s» already exists."),
    "Число стажеров — от %(min)s до %(max)s.": (
        "Стажерлордун саны — %(min)s дөн %(max)s чейин.",
        "The number of trainees is %(min)s to %(max)s.",
    ),
    "Блоки номеров для стажеров закончились.": (
        "Стажерлор үчүн номер блоктору түгөндү.",
        "No number blocks are left for trainees.",
    ),
    "Группы «%(name)s» нет.": ("«%(name)s» тобу жок.", "There is no class «%(name)s»."),
    # training/forms.py, training/views.py
    "Название группы": ("Топтун аталышы", "Class name"),
    "Число стажеров": ("Стажерлордун саны", "Number of trainees"),
    "Группа «%(name)s» удалена, ее стажеры отключены.": (
        "«%(name)s» тобу өчүрүлдү, анын стажерлору өчүрүлдү.",
        "The class «%(name)s» was deleted and its trainees deactivated.",
    ),
    # templates/training/_nav.html, classes.html, class_delete.html
    "Учебные группы": ("Окуу топтору", "Classes"),
    "Группа — это стажеры, которых тренер учит вместе. Каждый стажер получает вход в консоль (роль «Стажер», права агента) и свой блок номеров кошельков для учебных случаев.": (
        "Топ — тренер чогуу окуткан стажерлор. Ар бир стажер консолго кирүү мүмкүнчүлүгүн («Стажер» ролу, агенттин укуктары) жана окуу учурлары үчүн өзүнүн капчык номерлеринин блогун алат.",
        "A class is the trainees a trainer teaches together. Each trainee gets a sign-in to the console (the «Стажер» role, an agent's rights) and a block of wallet numbers of their own for training cases.",
    ),
    "Группа «%(name)s» создана": ("«%(name)s» тобу түзүлдү", "The class «%(name)s» was created"),
    "Пароли показаны один раз: запишите или распечатайте их сейчас и раздайте стажерам. Потом их не увидит никто.": (
        "Сырсөздөр бир гана жолу көрсөтүлөт: аларды азыр жазып алыңыз же басып чыгарып, стажерлорго таратыңыз. Кийин аларды эч ким көрбөйт.",
        "The passwords are shown once: write them down or print them now and hand them to the trainees. Nobody will see them again.",
    ),
    "Логин": ("Логин", "Username"),
    "Группы": ("Топтор", "Classes"),
    "Создана %(when)s, %(who)s.": ("%(when)s түзүлгөн, %(who)s.", "Created %(when)s by %(who)s."),
    "Стажер": ("Стажер", "Trainee"),
    "Номера кошельков": ("Капчыктардын номерлери", "Wallet numbers"),
    "Удалить группу": ("Топту өчүрүү", "Delete the class"),
    "Групп пока нет.": ("Азырынча топтор жок.", "No classes yet."),
    "Новая группа": ("Жаңы топ", "New class"),
    "Создать группу": ("Топ түзүү", "Create the class"),
    "Удалить группу «%(name)s»?": ("«%(name)s» тобун өчүрөсүзбү?", "Delete the class «%(name)s»?"),
    "Стажеры группы больше не смогут войти в консоль (их учетные записи отключаются, но остаются в журнале действий). Группа будет удалена.": (
        "Топтун стажерлору мындан ары консолго кире алышпайт (алардын эсептик жазуулары өчүрүлөт, бирок аракеттер журналында калат). Топ өчүрүлөт.",
        "The class's trainees will no longer be able to sign in to the console (their accounts are deactivated but stay in the audit log). The class will be deleted.",
    ),
    "В группе нет стажеров.": ("Топто стажерлор жок.", "The class has no trainees."),
    "Да, удалить группу": ("Ооба, топту өчүрүү", "Yes, delete the class"),
    # the audit log's new actions
    "передано старшему смены": ("ээлик жетекчисине өткөрүлдү", "passed to the shift supervisor"),
    "обращение закрыто старшим смены": ("кайрылууну ээлик жетекчиси жапты", "case closed by the shift supervisor"),
    "создание учебной группы": ("окуу тобун түзүү", "training class created"),
    "удаление учебной группы": ("окуу тобун өчүрүү", "training class deleted"),
    "назначение учебного случая": ("окуу учурун дайындоо", "training case assigned"),
}
