import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client

from services.models import Payment
from services.verify import books_violations

INN = "01503201010011"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_twenty_ussd_sessions_of_one_wallet_paying_at_once_never_overdraw(make_wallet):
    """20 phones... well, one phone in 20 sessions: 100 som each from 1 000 -> exactly 10 paid, no overdraft."""
    # given
    wallet = make_wallet(balance="1000")
    barrier = threading.Barrier(20)
    replies: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def session(number: int) -> None:
        try:
            client = Client(HTTP_HOST="127.0.0.1")
            barrier.wait(timeout=30)
            response = client.post(
                "/ussd/gateway/",
                {
                    "sessionId": f"race-{number}",
                    "serviceCode": "*900#",
                    "phoneNumber": wallet.phone,
                    "text": f"3*3*14*14*{INN}*100*2580",
                },
            )
            with lock:
                replies.append(f"{response.status_code} {response.content.decode()}")
        except BaseException as exc:  # noqa: BLE001 - any failure fails the test below
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    # when
    threads = [threading.Thread(target=session, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    # then
    assert errors == []
    assert len(replies) == 20 and all(reply.startswith("200 ") for reply in replies)
    paid = [reply for reply in replies if "Платеж принят" in reply]
    assert len(paid) == 10
    assert all("Недостаточно средств" in reply for reply in replies if reply not in paid)
    wallet.ledger_account.refresh_from_db()
    assert wallet.ledger_account.balance == Decimal("0.00")
    assert Payment.objects.filter(channel="ussd").count() == 10
    assert books_violations() == []
