# ruff: noqa: E501
"""Kyrgyz and English for issue 18's "500s and leaks" strings: the 413 answers (API and web page), the staff
confirmation whose reason was changed, and the cash desk operation started afresh. Applied with
`python locale/tools/apply_translations.py locale/tools/t_leaks.py`."""

T = {
    # API (api/errors.py)
    "Запрос слишком большой.": ("Суроо өтө чоң.", "The request is too large."),
    # web 413 page (templates/413.html)
    "Слишком большой запрос": ("Суроо өтө чоң", "Request too large"),
    "Форма отправила больше данных, чем сервер принимает. Ничего не сохранено: вернитесь и заполните форму снова.": (
        "Форма сервер кабыл алгандан көп маалымат жөнөттү. Эч нерсе сакталган жок: артка кайтып, форманы кайра толтуруңуз.",
        "The form sent more data than the server accepts. Nothing was saved: go back and fill in the form again.",
    ),
    # staff confirmation (staff/views.py)
    "Причина отличается от показанной при подтверждении. Ничего не изменено: проверьте причину и нажмите «Далее».": (
        "Себеп ырастоодо көрсөтүлгөндөн башка. Эч нерсе өзгөргөн жок: себепти текшерип, «Кийинки» баскычын басыңыз.",
        "The reason differs from the one shown for confirmation. Nothing was changed: check the reason and press «Next».",
    ),
    # cash desk (cashdesk/views.py)
    "Операция начата заново с новой квитанцией: проверьте сумму и нажмите «Далее».": (
        "Операция жаңы квитанция менен кайра башталды: сумманы текшерип, «Кийинки» баскычын басыңыз.",
        "The operation was started again with a new receipt: check the amount and press «Next».",
    ),
}
