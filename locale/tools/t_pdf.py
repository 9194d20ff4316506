# ruff: noqa: E501
"""Kyrgyz and English for the PDF receipt (services/receipts.py, core/pdf.py, the receipt page and the app's receipt)
and the guide's progress log (training/guide.py). Applied with
`python locale/tools/apply_translations.py locale/tools/t_pdf.py`."""

T = {
    "Скачать PDF": ("PDF жүктөп алуу", "Download PDF"),
    "Поставщик": ("Жеткирүүчү", "Provider"),
    "Поставщик еще не подтвердил платеж: квитанция не подтверждает оплату.": (
        "Жеткирүүчү төлөмдү азырынча ырастай элек: бул квитанция төлөндү дегенди ырастабайт.",
        "The provider has not confirmed the payment yet: this receipt does not prove it was paid.",
    ),
    "PDF сейчас не получается сделать. Попробуйте позже или распечатайте квитанцию.": (
        "PDF азыр түзүлбөй жатат. Кийинчерээк аракет кылыңыз же квитанцияны басып чыгарыңыз.",
        "The PDF cannot be made right now. Try again later or print the receipt.",
    ),
    # the guide's progress log (training/guide.py, build_guide)
    "[%(language)s %(number)s] %(text)s ... готово (снимков: %(count)s)": (
        "[%(language)s %(number)s] %(text)s ... даяр (сүрөттөр: %(count)s)",
        "[%(language)s %(number)s] %(text)s ... done (screenshots: %(count)s)",
    ),
    "[%(language)s 1] %(amount)s сом внесены в отделении KICB (manage.py cash_in) ... готово": (
        "[%(language)s 1] %(amount)s сом KICB бөлүмүндө салынды (manage.py cash_in) ... даяр",
        "[%(language)s 1] %(amount)s som paid in at a KICB branch (manage.py cash_in) ... done",
    ),
    "[%(language)s 4] приложение: /app/ ответил HTTP %(status)s, раздел пропущен": (
        "[%(language)s 4] тиркеме: /app/ HTTP %(status)s жооп берди, бөлүм өткөрүлүп жиберилди",
        "[%(language)s 4] the app: /app/ answered HTTP %(status)s, section skipped",
    ),
    "[%(language)s 4] приложение: вход, DosTek group, проверка, PIN, код платежа ... готово": (
        "[%(language)s 4] тиркеме: кирүү, DosTek group, текшерүү, PIN, төлөм коду ... даяр",
        "[%(language)s 4] the app: sign-in, DosTek group, check, PIN, payment code ... done",
    ),
    "реплика: база данных создана в %(dir)s; СОЧИ на %(url)s": (
        "реплика: маалымат базасы %(dir)s ичинде түзүлдү; СОЧИ %(url)s дарегинде",
        "replica: database created in %(dir)s; СОЧИ at %(url)s",
    ),
    "реплика: работает на %(url)s": ("реплика: %(url)s дарегинде иштейт", "replica: serving %(url)s"),
    "[%(language)s] HTML и PDF готовы (инструкция и часть для тренера)": (
        "[%(language)s] HTML жана PDF даяр (нускама жана тренер үчүн бөлүк)",
        "[%(language)s] HTML and PDF written (the guide and the trainer's part)",
    ),
    "build_guide: %(guide)s и .pdf, %(trainer)s и .pdf, снимков шагов: %(count)s, за %(seconds)s с": (
        "build_guide: %(guide)s жана .pdf, %(trainer)s жана .pdf, кадамдардын сүрөттөрү: %(count)s, %(seconds)s с ичинде",
        "build_guide: %(guide)s and .pdf, %(trainer)s and .pdf, %(count)s step screenshots in %(seconds)s s",
    ),
}
