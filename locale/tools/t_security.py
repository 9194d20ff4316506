"""Kyrgyz and English for the security work (issue 18): one-time confirmation keys. Applied with
`python locale/tools/apply_translations.py locale/tools/t_security.py`."""

T = {
    "использованный одноразовый ключ": ("колдонулган бир жолку ачкыч", "used one-time key"),
    "использованные одноразовые ключи": ("колдонулган бир жолку ачкычтар", "used one-time keys"),
    "использован": ("колдонулду", "used"),
}
