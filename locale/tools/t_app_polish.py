# ruff: noqa: E501
"""Kyrgyz and English for the app's polish of issue 19. Applied with
`python locale/tools/apply_translations.py locale/tools/t_app_polish.py`."""

T = {
    "Проверьте поля: %(fields)s.": ("Талааларды текшериңиз: %(fields)s.", "Check these fields: %(fields)s."),
}
