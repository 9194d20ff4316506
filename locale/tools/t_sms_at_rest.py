# ruff: noqa: E501
"""Kyrgyz and English for «No PIN at rest» (issue 18): the outbox's starred text and the demo's virtual phone.
Applied with `python locale/tools/apply_translations.py locale/tools/t_sms_at_rest.py`."""

T = {
    "текст без PIN и кода": ("PIN жана коду жок текст", "text without PIN or code"),
    "полученный текст": ("алынган текст", "text received"),
    "SMS на виртуальном телефоне": ("Виртуалдык телефондогу SMS", "SMS on the virtual phone"),
}
