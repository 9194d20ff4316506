from decimal import Decimal

import pytest

from core.money import InvalidAmount, MoneyField, format_som, parse_amount, percent_of, to_tyiyn


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("100", "100.00"),
        ("100.50", "100.50"),
        ("100,50", "100.50"),
        ("1 000", "1000.00"),
        ("1 000,5", "1000.50"),
        (" 30 ", "30.00"),
        ("0.01", "0.01"),
        ("12\u00a0345.67", "12345.67"),
    ],
)
def test_parse_amount_accepts_what_people_type(typed, expected):
    """Amounts typed with a comma, a dot or thousands spaces all become exact som."""
    assert parse_amount(typed) == Decimal(expected)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Введите сумму"),
        ("   ", "Введите сумму"),
        ("0", "больше нуля"),
        ("0.00", "больше нуля"),
        ("-5", "больше нуля"),
        ("10.005", "двух знаков"),
        ("abc", "числом"),
        ("1e3", "числом"),
        ("10,5,5", "числом"),
        ("1 00", "числом"),
        ("１００", "числом"),
        ("NaN", "числом"),
        ("Infinity", "числом"),
        ("10.", "числом"),
    ],
)
def test_parse_amount_refuses_bad_input_with_a_message(typed, message):
    """Every bad amount gets a Russian message, never a crash."""
    with pytest.raises(InvalidAmount) as error:
        parse_amount(typed)
    assert message in str(error.value)


def test_to_tyiyn_is_exact_and_refuses_floats_and_fractions():
    """Money never passes through float, and a fraction of a tyiyn is an error, not a rounding."""
    assert to_tyiyn(Decimal("1000.01")) == 100001
    with pytest.raises(TypeError):
        to_tyiyn(0.1)
    with pytest.raises(InvalidAmount):
        to_tyiyn(Decimal("0.001"))


def test_money_field_stores_tyiyn_and_refuses_float():
    """The field writes whole tyiyn and reads Decimal som."""
    field = MoneyField()
    assert field.get_prep_value(Decimal("12.34")) == 1234
    assert field.from_db_value(1234, None, None) == Decimal("12.34")
    with pytest.raises(TypeError):
        field.get_prep_value(12.34)


def test_commission_rounds_half_up_to_the_tyiyn():
    """1 % of 100.50 is 1.005, which a cashier rounds to 1.01."""
    assert percent_of(Decimal("100.50"), Decimal("1.00")) == Decimal("1.01")
    assert percent_of(Decimal("100.40"), Decimal("1.00")) == Decimal("1.00")


def test_format_som_groups_thousands():
    assert format_som(Decimal("1234567.5")) == "1 234 567.50"
    assert format_som(Decimal("0")) == "0.00"
    assert format_som(Decimal("-1000")) == "-1 000.00"
