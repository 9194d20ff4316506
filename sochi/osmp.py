"""The OSMP (QIWI) provider protocol as СОЧИ speaks it: request parameters in, an XML answer out.

Parsing is pure (no database), so the fault switch and every refusal can be decided before anything is written.
Only values that passed validation are echoed back: a peer's junk (NUL bytes, broken encodings, 100 KB strings)
never reaches the XML or the log.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import IntEnum
from xml.etree import ElementTree

from sochi.money import OSMP_SUM_RE

XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
CONTENT_TYPE = "text/xml; charset=utf-8"

COMMANDS = ("check", "pay", "status")
PARAMETERS = ("command", "txn_id", "account", "sum", "txn_date")

# QIWI's txn_id is a number (up to 20 digits, a 64-bit unsigned integer), not a string: "0123" is payment 123. The
# number is the key (the digits without leading zeros), so a peer's or a forger's zero in front names the same
# payment, answered as its repeat, never credited anew. Zero itself names no payment.
TXN_ID_RE = re.compile(r"0*([1-9][0-9]{0,19})", re.ASCII)
ACCOUNT_RE = re.compile(r"[0-9]{14}", re.ASCII)
TXN_DATE_RE = re.compile(r"[0-9]{14}", re.ASCII)

MIN_SUM = Decimal("1.00")
MAX_SUM = Decimal("500000.00")


class Result(IntEnum):
    OK = 0
    TEMPORARY = 1
    BAD_ACCOUNT_FORMAT = 4
    ACCOUNT_NOT_FOUND = 5
    FORBIDDEN = 7
    ACCOUNT_INACTIVE = 79
    NOT_FINISHED = 90
    SUM_TOO_SMALL = 241
    SUM_TOO_LARGE = 242
    OTHER = 300


# Short, Russian, and without anything a peer sent or anything secret.
COMMENTS = {
    Result.OK: "OK",
    Result.TEMPORARY: "Временная ошибка, повторите запрос позже",
    Result.BAD_ACCOUNT_FORMAT: "Неверный формат счета: ИНН из 14 цифр",
    Result.ACCOUNT_NOT_FOUND: "Организация с таким ИНН не найдена",
    Result.FORBIDDEN: "Прием платежей для организации запрещен",
    Result.ACCOUNT_INACTIVE: "Организация закрыта",
    Result.NOT_FINISHED: "Платеж не завершен, повторите запрос позже",
    Result.SUM_TOO_SMALL: "Сумма меньше минимальной (1.00 сом)",
    Result.SUM_TOO_LARGE: "Сумма больше максимальной (500000.00 сом)",
    Result.OTHER: "Ошибка запроса",
}

COMMENT_MISSING = "Не указан параметр {name}"
COMMENT_REPEATED = "Параметр {name} указан несколько раз"
COMMENT_BAD = "Неверное значение параметра {name}"
COMMENT_UNKNOWN_COMMAND = "Неизвестная команда"
COMMENT_TXN_ID_REUSED = "Платеж с этим txn_id уже проведен с другим счетом или суммой"
COMMENT_ALREADY_PAID = "Платеж уже проведен"
COMMENT_UNREADABLE = "Запрос не удалось разобрать"
COMMENT_TOO_LONG = "Запрос слишком длинный"
COMMENT_AUTH = "Требуется авторизация"
COMMENT_FORBIDDEN_ADDRESS = "Доступ с этого адреса запрещен"
COMMENT_METHOD = "Допустимы только GET и POST"
COMMENT_UNAVAILABLE = "Сервис временно недоступен"
COMMENT_INTERNAL = "Внутренняя ошибка"


@dataclass(frozen=True)
class OsmpRequest:
    """What the peer asked, validated. A field is set only when its value is valid; `result` != OK means refused
    before any database work, with `comment` saying why."""

    command: str | None = None
    txn_id: str | None = None
    account: str | None = None
    amount: Decimal | None = None
    txn_date: str | None = None
    result: Result = Result.OK
    comment: str = COMMENTS[Result.OK]

    @property
    def valid(self) -> bool:
        return self.result == Result.OK

    @property
    def sum_text(self) -> str:
        return format_sum(self.amount) if self.amount is not None else ""


def format_sum(amount: Decimal) -> str:
    return f"{amount:.2f}"


def _single(params: Mapping[str, list[str]], name: str) -> str | None:
    values = params.get(name) or []
    if len(values) > 1:
        raise _Refusal(Result.OTHER, COMMENT_REPEATED.format(name=name))
    return values[0] if values else None


class _Refusal(Exception):
    def __init__(self, result: Result, comment: str):
        self.result = result
        self.comment = comment


def _valid_txn_date(text: str) -> bool:
    if not TXN_DATE_RE.fullmatch(text):
        return False
    try:
        datetime(int(text[0:4]), int(text[4:6]), int(text[6:8]), int(text[8:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        return False
    return True


def txn_id_normalise(raw: str) -> str:
    """The aggregator's txn_id as the number it is: digits only, no leading zeros, at most 20 significant digits.
    Anything else is refused as malformed (result 300)."""
    match = TXN_ID_RE.fullmatch(raw)
    if match is None:
        raise _Refusal(Result.OTHER, COMMENT_BAD.format(name="txn_id"))
    return match.group(1)


def parse_request(params: Mapping[str, list[str]]) -> OsmpRequest:
    """Validate the protocol parameters (each a list of the values sent; more than one value is an error)."""
    found: dict[str, object] = {}
    try:
        command = _single(params, "command")
        if command is None:
            raise _Refusal(Result.OTHER, COMMENT_MISSING.format(name="command"))
        if command not in COMMANDS:
            raise _Refusal(Result.OTHER, COMMENT_UNKNOWN_COMMAND)
        found["command"] = command
        txn_id = _single(params, "txn_id")
        if txn_id is None:
            raise _Refusal(Result.OTHER, COMMENT_MISSING.format(name="txn_id"))
        found["txn_id"] = txn_id_normalise(txn_id)
        if command == "status":
            return OsmpRequest(**found)
        account = _single(params, "account")
        sum_text = _single(params, "sum")
        txn_date = _single(params, "txn_date") if command == "pay" else None
        if sum_text is not None and OSMP_SUM_RE.fullmatch(sum_text):
            found["amount"] = Decimal(sum_text)
        if account is None:
            raise _Refusal(Result.OTHER, COMMENT_MISSING.format(name="account"))
        if not ACCOUNT_RE.fullmatch(account):
            raise _Refusal(Result.BAD_ACCOUNT_FORMAT, COMMENTS[Result.BAD_ACCOUNT_FORMAT])
        found["account"] = account
        if sum_text is None:
            raise _Refusal(Result.OTHER, COMMENT_MISSING.format(name="sum"))
        if "amount" not in found:
            raise _Refusal(Result.OTHER, COMMENT_BAD.format(name="sum"))
        if found["amount"] < MIN_SUM:
            raise _Refusal(Result.SUM_TOO_SMALL, COMMENTS[Result.SUM_TOO_SMALL])
        if found["amount"] > MAX_SUM:
            raise _Refusal(Result.SUM_TOO_LARGE, COMMENTS[Result.SUM_TOO_LARGE])
        if command == "pay":
            if txn_date is None:
                raise _Refusal(Result.OTHER, COMMENT_MISSING.format(name="txn_date"))
            if not _valid_txn_date(txn_date):
                raise _Refusal(Result.OTHER, COMMENT_BAD.format(name="txn_date"))
            found["txn_date"] = txn_date
    except _Refusal as refusal:
        return OsmpRequest(**found, result=refusal.result, comment=refusal.comment)
    return OsmpRequest(**found)


# --- answers --------------------------------------------------------------------------------------------------------

# XML 1.0 allows tab, newline, carriage return and everything from U+0020 except surrogates and U+FFFE/U+FFFF.
_NOT_XML_CHAR = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_text(value: object) -> str:
    return _NOT_XML_CHAR.sub("", "" if value is None else str(value))


@dataclass
class Answer:
    """One <response>. Elements without a value are written, empty; `extra` follows <comment> in order."""

    result: Result
    comment: str | None = None
    txn_id: str | None = None
    prv_txn: str | None = None
    sum: str | None = None
    extra: list[tuple[str, str | None]] = field(default_factory=list)
    fields: list[tuple[str, str]] = field(default_factory=list)

    def render(self) -> bytes:
        root = ElementTree.Element("response")
        for tag, value in (
            ("osmp_txn_id", self.txn_id),
            ("prv_txn", self.prv_txn),
            ("sum", self.sum),
            ("result", int(self.result)),
            ("comment", self.comment if self.comment is not None else COMMENTS[self.result]),
            *self.extra,
        ):
            ElementTree.SubElement(root, tag).text = _xml_text(value)
        if self.fields:
            fields = ElementTree.SubElement(root, "fields")
            for number, (name, value) in enumerate(self.fields, start=1):
                ElementTree.SubElement(fields, f"field{number}", name=name).text = _xml_text(value)
        return _document(root)


def _document(root: ElementTree.Element, *, short_empty_elements: bool = False) -> bytes:
    # <prv_txn></prv_txn> rather than <prv_txn />: some OSMP clients look for the closing tag.
    body = ElementTree.tostring(root, encoding="unicode", short_empty_elements=short_empty_elements)
    return (XML_DECLARATION + body).encode("utf-8")


def render_report(*, date: str, payments: Iterable[dict[str, str]]) -> bytes:
    root = ElementTree.Element("report", date=date)
    for payment in payments:
        ElementTree.SubElement(root, "payment", {key: _xml_text(value) for key, value in payment.items()})
    return _document(root, short_empty_elements=True)
