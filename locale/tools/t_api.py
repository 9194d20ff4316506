"""Kyrgyz and English for the app API (api/) and the wallet opening by SMS code: {msgid: (ky, en)}."""

T = {
    "Код для открытия кошелька ЭЛСОМ: %(code)s. Действует 5 минут. Никому его не сообщайте.": (
        "ЭЛСОМ капчыгын ачуу коду: %(code)s. 5 мүнөт жарактуу. Эч кимге айтпаңыз.",
        "ELSOM wallet opening code: %(code)s. Valid for 5 minutes. Do not share it with anyone.",
    ),
    "Отозвать вход в приложение": ("Тиркемеге кирүүнү жокко чыгаруу", "Sign the device out of the app"),
    "Устройств отключено: %(n)d.": ("Өчүрүлгөн түзмөктөр: %(n)d.", "Devices signed out: %(n)d."),
    "Приложение ЭЛСОМ": ("ЭЛСОМ тиркемеси", "ELSOM app"),
    "Войдите в приложение: запросу нужен токен устройства (Authorization: Bearer ...).": (
        "Тиркемеге кириңиз: сурамга түзмөктүн токени керек (Authorization: Bearer ...).",
        "Sign in to the app: the request needs a device token (Authorization: Bearer ...).",
    ),
    "Этот вход в приложение не найден. Войдите снова.": (
        "Тиркемеге мындай кирүү табылган жок. Кайра кириңиз.",
        "This app sign-in was not found. Please sign in again.",
    ),
    "Срок входа в приложение истек. Войдите снова.": (
        "Тиркемеге кирүү мөөнөтү бүттү. Кайра кириңиз.",
        "Your app sign-in has expired. Please sign in again.",
    ),
    "Вход с этого устройства отменен. Войдите снова.": (
        "Бул түзмөктөн кирүү жокко чыгарылды. Кайра кириңиз.",
        "This device was signed out. Please sign in again.",
    ),
    "Запрос заполнен неверно: проверьте поля.": (
        "Сурам туура эмес толтурулган: талааларды текшериңиз.",
        "The request is not filled in correctly: check the fields.",
    ),
    "Тело запроса должно быть JSON-объектом в UTF-8.": (
        "Сурамдын денеси UTF-8 коддогу JSON-объект болушу керек.",
        "The request body must be a JSON object in UTF-8.",
    ),
    "В запросе есть недопустимые символы.": (
        "Сурамда жол берилбеген белгилер бар.",
        "The request has characters that are not allowed.",
    ),
    "Такого адреса в API нет.": ("API'де мындай дарек жок.", "There is no such address in the API."),
    "Этот адрес API не принимает такой метод.": (
        "API'нин бул дареги мындай ыкманы кабыл албайт.",
        "This API address does not accept this method.",
    ),
    "Слишком много запросов. Повторите через %(retry_after)s с.": (
        "Сурамдар өтө көп. %(retry_after)s сек. кийин кайталаңыз.",
        "Too many requests. Try again in %(retry_after)s s.",
    ),
    "Сбой на сервере. Попробуйте позже.": (
        "Сервер иштебей калды. Кийинчерээк аракет кылыңыз.",
        "Server failure. Please try again later.",
    ),
    "Нужен заголовок Idempotency-Key: от 1 до 64 символов из латинских букв, цифр, «_» и «-».": (
        "Idempotency-Key аталышы керек: латын тамгаларынан, сандардан, «_» жана «-» белгилеринен 1ден 64кө чейин.",
        "The Idempotency-Key header is required: 1 to 64 characters of Latin letters, digits, «_» and «-».",
    ),
    "Вход не начат или устарел. Запросите код заново.": (
        "Кирүү башталган эмес же эскирген. Кодду кайра сураңыз.",
        "The sign-in was not started or is out of date. Ask for a new code.",
    ),
    "Чтобы открыть кошелек, примите публичную оферту.": (
        "Капчыкты ачуу үчүн коомдук офертаны кабыл алыңыз.",
        "To open a wallet, accept the public offer.",
    ),
    "Платеж не найден.": ("Төлөм табылган жок.", "Payment not found."),
    "Услуга не найдена.": ("Кызмат табылган жок.", "Service not found."),
    "Устройство не найдено.": ("Түзмөк табылган жок.", "Device not found."),
    "Избранный платеж не найден.": ("Тандалган төлөм табылган жок.", "Favourite payment not found."),
    "Этот платеж уже есть в избранном.": (
        "Бул төлөм тандалгандарда бар.",
        "This payment is already in your favourites.",
    ),
    "В избранном может быть не больше %(limit)s платежей.": (
        "Тандалгандарда %(limit)s төлөмдөн ашык болбойт.",
        "Favourites can hold at most %(limit)s payments.",
    ),
    "Название избранного — от 1 до 60 символов.": (
        "Тандалгандын аталышы — 1ден 60ка чейин белги.",
        "A favourite's name is 1 to 60 characters.",
    ),
    "Ссылка на следующую страницу истории неверна. Откройте историю заново.": (
        "Тарыхтын кийинки барагына шилтеме туура эмес. Тарыхты кайра ачыңыз.",
        "The link to the next page of the history is not valid. Open the history again.",
    ),
    "Такой даты нет: укажите дату как ГГГГ-ММ-ДД.": (
        "Мындай дата жок: датаны ЖЖЖЖ-АА-КК түрүндө жазыңыз.",
        "There is no such date: give it as YYYY-MM-DD.",
    ),
    "устройство": ("түзмөк", "device"),
    "хеш токена": ("токендин хеши", "token hash"),
    "вход выполнен": ("кирген убакыт", "signed in"),
    "последнее обращение": ("акыркы кайрылуу", "last used"),
    "отозван": ("жокко чыгарылган", "revoked"),
    "отозван сотрудником": ("жокко чыгарган кызматкер", "revoked by"),
    "устройство приложения": ("тиркеменин түзмөгү", "app device"),
    "устройства приложения": ("тиркеменин түзмөктөрү", "app devices"),
    "избранный платеж": ("тандалган төлөм", "favourite payment"),
    "избранные платежи": ("тандалган төлөмдөр", "favourite payments"),
    "Платеж проведен, код %(code)s.": ("Төлөм өттү, коду %(code)s.", "Payment completed, code %(code)s."),
    "Поставщик отменил платеж, %(total)s сом возвращены на кошелек.": (
        "Жеткирүүчү төлөмдү жокко чыгарды, %(total)s сом капчыкка кайтарылды.",
        "The provider cancelled the payment; %(total)s som are back in the wallet.",
    ),
    "Платеж возвращен: %(total)s сом зачислены на кошелек.": (
        "Төлөм кайтарылды: %(total)s сом капчыкка түштү.",
        "Payment refunded: %(total)s som credited to the wallet.",
    ),
    "Поставщик еще не подтвердил платеж. Статус обновится сам; деньги не потеряются.": (
        "Жеткирүүчү төлөмдү азырынча ырастай элек. Абалы өзү жаңырат; акча жоголбойт.",
        "The provider has not confirmed the payment yet. The status updates by itself; the money is safe.",
    ),
    "отзыв входа в приложение": ("тиркемеге кирүүнү жокко чыгаруу", "app sign-out by staff"),
}

# The staff console: the app devices of a wallet, signed out all at once.
T.update(
    {
        "С этого кошелька никто не вошел в приложение.": (
            "Бул капчыктан тиркемеге эч ким кирген эмес.",
            "Nobody is signed in to the app with this wallet.",
        ),
        "Выйти из приложения на всех устройствах": (
            "Бардык түзмөктөрдө тиркемеден чыгаруу",
            "Sign out of the app on every device",
        ),
        "Отменяет вход в приложение ЭЛСОМ на всех устройствах клиента (потерянный или украденный телефон). "
        "Клиент войдет снова по SMS-коду на свой номер.": (
            "Кардардын бардык түзмөктөрүндө ЭЛСОМ тиркемесине кирүүнү жокко чыгарат (жоголгон же уурдалган телефон). "
            "Кардар өз номерине келген SMS-код менен кайра кирет.",
            "Signs the customer out of the ELSOM app on every device (a lost or stolen phone). "
            "The customer signs in again with an SMS code sent to their number.",
        ),
        "Вход в приложение отменен на всех устройствах.": (
            "Бардык түзмөктөрдө тиркемеге кирүү жокко чыгарылды.",
            "Signed out of the app on every device.",
        ),
        "Приложение": ("Тиркеме", "App"),
        "устройств со входом: %(n)s": ("кирген түзмөктөр: %(n)s", "devices signed in: %(n)s"),
        "не входил": ("кирген эмес", "never signed in"),
    }
)
