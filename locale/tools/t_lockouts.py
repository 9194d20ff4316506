# ruff: noqa: E501
"""Kyrgyz and English for issue 18 (nobody locks out someone else): the staff and admin sign-in limits, the
registration limit and the staff lockout page. Applied with
`python locale/tools/apply_translations.py locale/tools/t_lockouts.py`."""

T = {
    "Слишком много попыток регистрации с вашего адреса. Попробуйте через час. Ничего не сохранено.": (
        "Сиздин дарегиңизден каттоого өтө көп аракет жасалды. Бир сааттан кийин кайталаңыз. Эч нерсе сакталган жок.",
        "Too many registration attempts from your address. Try again in an hour. Nothing was saved.",
    ),
    "Слишком много неверных попыток. Вход с этим именем пользователя с вашего адреса закрыт на 15 минут.": (
        "Туура эмес аракеттер өтө көп. Бул колдонуучу аты менен сиздин дарегиңизден кирүү 15 мүнөткө жабылды.",
        "Too many failed attempts. Signing in with this username from your address is closed for 15 minutes.",
    ),
    "Слишком много неверных попыток входа с вашего адреса. Попробуйте через 15 минут.": (
        "Сиздин дарегиңизден кирүүгө туура эмес аракеттер өтө көп. 15 мүнөттөн кийин кайталаңыз.",
        "Too many failed sign-in attempts from your address. Try again in 15 minutes.",
    ),
}
