from decimal import Decimal

import pytest
from django.test import Client

from services.models import Payment
from services.verify import books_violations
from tests.helpers import DEMO_INN, values_of_concurrent


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_twenty_ussd_sessions_of_one_wallet_paying_at_once_never_overdraw(make_wallet):
    """20 phones... well, one phone in 20 sessions: 100 som each from 1 000 -> exactly 10 paid, no overdraft."""
    # given
    wallet = make_wallet(balance="1000")

    def session(number: int) -> str:
        response = Client(HTTP_HOST="127.0.0.1").post(
            "/ussd/gateway/",
            {
                "sessionId": f"race-{number}",
                "serviceCode": "*900#",
                "phoneNumber": wallet.phone,
                "text": f"3*3*14*14*{DEMO_INN}*100*2580",
            },
        )
        return f"{response.status_code} {response.content.decode()}"

    # when
    replies = values_of_concurrent(20, session)  # fails on any session's error or a hung thread
    # then
    assert len(replies) == 20 and all(reply.startswith("200 ") for reply in replies)
    paid = [reply for reply in replies if "Платеж принят" in reply]
    assert len(paid) == 10
    assert all("Недостаточно средств" in reply for reply in replies if reply not in paid)
    wallet.ledger_account.refresh_from_db()
    assert wallet.ledger_account.balance == Decimal("0.00")
    assert Payment.objects.filter(channel="ussd").count() == 10
    assert books_violations() == []
