import pytest
from django.utils import timezone

from wallet.inn import InvalidInn, inn_parse_payer, inn_parse_personal


@pytest.mark.parametrize("typed", ["12505199000123", "22002199500567", " 1250 5199 0001 23 "])
def test_personal_inn_with_a_real_birth_date_is_accepted(typed):
    """A personal INN: 1 or 2, then the birth date DDMMYYYY, 14 digits in all (spaces ignored)."""
    assert inn_parse_personal(typed) == typed.replace(" ", "")


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Введите ИНН"),
        ("1250519900012", "14 цифр"),
        ("125051990001234", "14 цифр"),
        ("1250519900012a", "14 цифр"),
        ("１２５０５１９９０００１２３", "14 цифр"),
        ("١٢٥٠٥١٩٩٠٠٠١٢٣", "14 цифр"),
        ("32505199000123", "1 или 2"),
        ("01503201010011", "1 или 2"),
        ("13299990000012", "дата рождения"),
        ("13013189900012", "дата рождения"),
        ("12902200100012", "дата рождения"),
        ("10101189900012", "дата рождения"),
    ],
)
def test_bad_personal_inn_is_refused(typed, message):
    """Wrong length, letters, Unicode digits, a wrong first digit or an impossible birth date are refused."""
    with pytest.raises(InvalidInn) as error:
        inn_parse_personal(typed)
    assert message in str(error.value)


def test_birth_date_in_the_future_is_refused():
    tomorrow = timezone.localdate().replace(year=timezone.localdate().year + 1)
    with pytest.raises(InvalidInn):
        inn_parse_personal(f"1{tomorrow:%d%m%Y}00012")


@pytest.mark.parametrize("typed", ["01503201010011", "00908199910058", "21204198800345"])
def test_payer_inn_accepts_companies_and_entrepreneurs(typed):
    """DosTek group takes a company INN (starts with 0) or an entrepreneur's personal INN."""
    assert inn_parse_payer(typed) == typed


@pytest.mark.parametrize(
    ("typed", "message"),
    [("31503201010011", "начинается с 0"), ("0150320101001", "14 цифр"), ("13299990000012", "дата рождения")],
)
def test_bad_payer_inn_is_refused(typed, message):
    with pytest.raises(InvalidInn) as error:
        inn_parse_payer(typed)
    assert message in str(error.value)
