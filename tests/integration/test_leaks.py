"""What the production red-team found leaking (issue 18): DEMO_MODE on a production server, and personal data in the
messages cookie. Settings are module-level code, so the start-up cases run in a fresh Python process each."""

import pytest
from django.core.checks import run_checks
from django.test import override_settings

from tests.integration.test_settings import production_env, python
from tests.staff.conftest import console, make_staff  # noqa: F401  (the cashier of the cash desk test)

WSGI = "from elsom_portal.wsgi import application; print(type(application).__name__)"


def test_the_wsgi_app_refuses_to_load_with_demo_mode_and_debug_off(tmp_path):
    """gunicorn elsom_portal.wsgi with DEBUG=0 DEMO_MODE=1 does not start: the simulator's inbox would serve live
    codes. The message says what to do."""
    # when
    result = python("-c", WSGI, **(production_env(tmp_path) | {"DEMO_MODE": "1"}))

    # then
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DEMO_MODE is on while DEBUG is off" in result.stderr and "Unset DEMO_MODE" in result.stderr


def test_manage_py_check_deploy_fails_with_demo_mode_in_production(tmp_path):
    result = python("manage.py", "check", "--deploy", **(production_env(tmp_path) | {"DEMO_MODE": "1"}))
    assert result.returncode != 0 and "elsom.E001" in result.stderr


def test_the_wsgi_app_loads_in_production_without_demo_mode_and_in_development_with_it(tmp_path):
    assert python("-c", WSGI, **production_env(tmp_path)).stdout.strip() == "WSGIHandler"
    development = python("-c", WSGI, DEBUG="1", DEMO_MODE="1", DATABASE_URL=f"sqlite:///{tmp_path / 'dev.sqlite3'}")
    assert development.stdout.strip() == "WSGIHandler", development.stderr


@override_settings(DEBUG=False, DEMO_MODE=True)
def test_the_deploy_check_still_names_demo_mode():
    """Settings changed after start-up (a test, a shell) are still caught by `check --deploy`."""
    errors = run_checks(include_deployment_checks=True, tags=["security"])
    assert "elsom.E001" in {error.id for error in errors}


@pytest.mark.parametrize("name", ["SESSION_COOKIE_NAME", "CSRF_COOKIE_NAME"])
def test_production_cookie_names_carry_the_host_prefix(tmp_path, name):
    result = python("-c", f"from elsom_portal import settings as s; print(s.{name})", **production_env(tmp_path))
    assert result.stdout.strip().startswith("__Host-"), result.stderr


# --- the messages cookie --------------------------------------------------------------------------------------------

COOKIE_NAMES = {"sessionid", "csrftoken"}  # development names; production's carry __Host- (test above)


def assert_no_personal_cookie(response, *secrets: str) -> None:
    assert set(response.cookies) <= COOKIE_NAMES, set(response.cookies)
    header = "\n".join(morsel.OutputString() for morsel in response.cookies.values())
    for secret in secrets:
        assert secret not in header, secret


@pytest.mark.django_db
def test_a_web_payment_sets_no_cookie_but_the_session_and_csrf_ones(signed_in, holder, dostek):
    """The pay form, the confirm, the result and its message: only the session and CSRF cookies, none naming the
    account, the amount or the holder's number."""
    from django.urls import reverse

    from cabinet import session as cabinet_session
    from tests.helpers import DEMO_INN

    form = signed_in.post(
        reverse("cabinet:pay_form", kwargs={"slug": "dostek"}), {"account": DEMO_INN, "amount": "123"}
    )
    pending = signed_in.session[cabinet_session.PENDING_KEY]
    confirm = signed_in.post(
        reverse("cabinet:pay_confirm", kwargs={"slug": "dostek"}),
        {"token": pending["token"], "account": pending["account"], "amount": pending["amount"]},
    )
    done = signed_in.get(confirm["Location"])
    for response in (form, confirm, done):
        assert_no_personal_cookie(response, DEMO_INN, "123", holder.phone[4:])
    assert "messages" not in signed_in.cookies


@pytest.mark.django_db
def test_the_cash_desk_credit_message_is_kept_in_the_session_not_a_cookie(console, make_wallet):  # noqa: F811
    """«Зачислено 1 234.00 сом на кошелек +996…. Квитанция KB…» is shown on the next page, never sent in a cookie."""
    import re

    cashier = console("cashier")
    wallet = make_wallet()
    page = cashier.get("/staff/cash-desk/", {"phone": wallet.phone}).content.decode()
    receipt = re.search(r"KB[0-9]{6}-[0-9]{6}", page).group(0)
    data = {"phone": wallet.phone, "amount": "1234", "id_checked": "on"}
    cashier.post("/staff/cash-desk/", data)
    done = cashier.post("/staff/cash-desk/", {**data, "confirm": "1"})
    assert_no_personal_cookie(done, receipt, "1234", "1 234", wallet.phone, wallet.phone[4:])
    shown = cashier.get(done["Location"])
    assert "Зачислено 1 234.00 сом" in shown.content.decode()
    assert_no_personal_cookie(shown, receipt, wallet.phone)
    assert "messages" not in cashier.cookies
