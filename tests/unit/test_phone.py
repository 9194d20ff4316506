import pytest

from wallet.phone import InvalidPhone, Operator, phone_parse


@pytest.mark.parametrize(
    "typed",
    [
        "0555 12 34 56",
        "555123456",
        "+996 555 123 456",
        "996555123456",
        "(0555) 123-456",
        "+996555123456",
        "0555-12-34-56",
        "00996555123456",
    ],
)
def test_every_usual_form_normalises_to_e164(typed):
    """However a Kyrgyz number is typed, it becomes +996555123456."""
    assert phone_parse(typed).e164 == "+996555123456"


@pytest.mark.parametrize(
    ("typed", "operator"),
    [
        ("0555123456", Operator.MEGACOM),
        ("0700123456", Operator.O),
        ("0770123456", Operator.BEELINE),
        ("0220123456", Operator.BEELINE),
        ("0500123456", Operator.O),
        ("0990123456", Operator.MEGACOM),
    ],
)
def test_operator_comes_from_carrier_data(typed, operator):
    """Megacom, Beeline and O! are told apart by the number's prefix (phonenumbers carrier data)."""
    assert phone_parse(typed).operator == operator


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Введите номер"),
        ("0312 960 888", "городской"),
        ("+7 912 345 67 89", "+996"),
        ("+1 202 555 0143", "+996"),
        ("12345", "неверно"),
        ("0555 12 34 5", "неверно"),
        ("0555 12 34 567", "неверно"),
        ("abc", "неверно"),
        ("０５５５１２３４５６", "неверно"),
        ("+996 555 12+34 56", "неверно"),
        ("0543123456", "не поддерживается"),
    ],
)
def test_bad_numbers_are_refused_with_a_message(typed, message):
    """Landlines, foreign, malformed, Unicode-digit and unsupported-operator numbers are refused clearly."""
    with pytest.raises(InvalidPhone) as error:
        phone_parse(typed)
    assert message in str(error.value)


def test_national_format_is_how_people_write_it():
    assert phone_parse("+996555123456").national == "0555 12 34 56"
