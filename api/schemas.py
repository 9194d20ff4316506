"""The API's request and response shapes (the OpenAPI schema is generated from these). Money is a string with
two decimals; timestamps are ISO 8601 with the offset (Bishkek time). Every request string is bounded, ids are
bounded to the database's integers, so nothing a client sends can overflow a column."""

from datetime import datetime
from typing import Annotated

from ninja import Field, Schema

DbId = Annotated[int, Field(ge=1, le=2**31 - 1)]  # in a path: the digits of an id
BodyId = Annotated[int, Field(strict=True, ge=1, le=2**31 - 1)]  # in JSON: a number, not true or "5"
# In JSON: true or false only. Pydantic's lax bool takes "yes", "on", 1 and "true": consent to the public offer must
# be the client's explicit true, not a string a form library happened to send.
BodyBool = Annotated[bool, Field(strict=True)]
Text = Annotated[str, Field(max_length=200)]
Money = Annotated[str, Field(examples=["100.00"])]


class Error(Schema):
    code: str = Field(examples=["wrong_pin"])
    message: str
    params: dict = Field(default_factory=dict, examples=[{"attempts_left": 2}])


class CodeRequest(Schema):
    phone: Annotated[str, Field(min_length=1, max_length=40, examples=["+996 555 123 456"])]


class ResendRequest(Schema):
    challenge: Annotated[str, Field(min_length=1, max_length=200)]


class ChallengeOut(Schema):
    """The same for every number: whether it has a wallet is told only after its code (POST /auth/token)."""

    challenge: str
    phone: str
    resend_after: int


class TokenRequest(Schema):
    challenge: Annotated[str, Field(min_length=1, max_length=200)]
    code: Annotated[str, Field(min_length=1, max_length=12, examples=["123456"])]
    device_name: Annotated[str, Field(max_length=200, examples=["Pixel 8"])] = ""


class WalletOpenRequest(TokenRequest):
    full_name: Annotated[str, Field(min_length=1, max_length=200, examples=["Айгуль Токтосунова"])]
    inn: Annotated[str, Field(min_length=1, max_length=40, examples=["12505199000123"])]
    offer_accepted: BodyBool
    language: Annotated[str, Field(max_length=5, examples=["ru"])] = "ru"


Pin = Annotated[str, Field(min_length=1, max_length=8, examples=["4862"])]


class PinChangeRequest(Schema):
    """As *900# -> 8 -> 3: the current PIN (a wrong one counts toward the lock), the new one twice."""

    current_pin: Pin
    new_pin: Pin
    new_pin_repeat: Pin


class PinResetCodeRequest(CodeRequest):
    pass


class PinResetRequest(Schema):
    """The SMS code of the forgotten-PIN challenge and the holder's personal INN (a wrong INN spends a try)."""

    challenge: Annotated[str, Field(min_length=1, max_length=200)]
    code: Annotated[str, Field(min_length=1, max_length=12, examples=["123456"])]
    inn: Annotated[str, Field(min_length=1, max_length=40, examples=["12505199000123"])]


class PinResetOut(Schema):
    """The new PIN went by SMS to this number (never in the answer)."""

    phone: str
    phone_display: str


class DeviceOut(Schema):
    id: int
    name: str
    created_at: datetime
    last_used_at: datetime | None
    current: bool


class ProfileOut(Schema):
    phone: str
    phone_display: str
    first_name: str
    last_name: str
    operator: str
    language: str
    balance: Money
    currency: str
    status: str
    pin_locked: bool


class SignedInOut(Schema):
    token: str
    device: DeviceOut
    profile: ProfileOut


class DevicesOut(Schema):
    items: list[DeviceOut]


class ServiceOut(Schema):
    id: int
    name: str
    provider: str
    account_label: str
    account_rule: str
    account_min_length: int
    account_max_length: int
    min_amount: Money
    max_amount: Money
    commission_fixed: Money
    commission_percent: Money


class CategoryOut(Schema):
    id: int
    name: str
    children: list["CategoryOut"]
    services: list[ServiceOut]


CategoryOut.model_rebuild()


class CatalogOut(Schema):
    categories: list[CategoryOut]


class QuoteRequest(Schema):
    service_id: BodyId
    account: Annotated[str, Field(max_length=100, examples=["01234567891234"])]
    amount: Annotated[str, Field(max_length=40, examples=["100"])]


class QuoteOut(Schema):
    service_id: int
    service_name: str
    account: str
    account_holder: str
    amount: Money
    commission: Money
    total: Money
    balance: Money


class PayRequest(QuoteRequest):
    pin: Annotated[str, Field(max_length=12, examples=["2580"])]


class FavouritePayRequest(Schema):
    amount: Annotated[str, Field(max_length=40, examples=["100"])]
    pin: Annotated[str, Field(max_length=12, examples=["2580"])]


class PaymentOut(Schema):
    code: str
    status: str = Field(examples=["committed"])
    status_label: str
    service_id: int
    service_name: str
    account: str
    account_holder: str
    amount: Money
    commission: Money
    total: Money
    channel: str
    created_at: datetime
    completed_at: datetime | None
    message: str
    provider_name: str = Field(examples=["DosTek group"])
    provider_call_centre: str = Field(examples=["0312 960 888"], description="the provider's call-centre, or ''")


class PaymentsPage(Schema):
    items: list[PaymentOut]
    next_cursor: str | None


class FavouriteRequest(Schema):
    name: Annotated[str, Field(max_length=200, examples=["Ромашка"])]
    service_id: BodyId
    account: Annotated[str, Field(max_length=100, examples=["01234567891234"])]


class FavouriteOut(Schema):
    id: int
    name: str
    service_id: int
    service_name: str
    account: str
    created_at: datetime


class FavouritesOut(Schema):
    items: list[FavouriteOut]
