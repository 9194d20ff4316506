"""Kyrgyz and English for the labels of the seams work (the audit app's new actions, the demo app, the USSD
session's stored screen). Applied with `python locale/tools/apply_translations.py locale/tools/t_seams.py`."""

T = {
    "корректировка баланса (учеба)": ("балансты оңдоо (окуу)", "balance adjustment (training)"),
    "демо-PIN восстановлен (учеба)": ("демо-PIN калыбына келтирилди (окуу)", "demo PIN restored (training)"),
    "Демо-данные": ("Демо-маалыматтар", "Demo data"),
    "корректировка баланса": ("балансты оңдоо", "balance adjustment"),
    "последний экран": ("акыркы экран", "last screen"),
}
