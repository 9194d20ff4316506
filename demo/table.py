"""The demo data as it is now, for the console of `make run` and training_reset's report."""

from demo.constants import ADMIN_PASSWORD, ADMIN_USERNAME, DEMO_COMPANY_INNS, DEMO_PIN, DEMO_WALLETS, DEMO_WEB_PASSWORD
from wallet.models import Wallet


def _browsable(base_url: str) -> str:
    """http://0.0.0.0:9000 is where a server listens, not an address to open: the browser wants 127.0.0.1."""
    for wildcard in ("//0.0.0.0", "//[::]"):
        base_url = base_url.replace(wildcard, "//127.0.0.1")
    return base_url.rstrip("/")


def demo_table(*, base_url: str = "http://127.0.0.1:8000") -> str:
    """The admin's address and each demo wallet as it is now (status, PIN, balance), not as the seed planned it."""
    lines = [
        f"  admin: {_browsable(base_url)}/admin/  login {ADMIN_USERNAME}  password {ADMIN_PASSWORD}",
        f"  demo wallets (PIN {DEMO_PIN}, web password {DEMO_WEB_PASSWORD}):",
    ]
    wallets = Wallet.objects.select_related("ledger_account", "web_account").in_bulk(
        [row.phone for row in DEMO_WALLETS], field_name="phone"
    )
    for row in DEMO_WALLETS:
        wallet = wallets.get(row.phone)
        if wallet is None:
            lines.append(f"    {row.phone} {row.name:<22} missing (run seed_demo)")
            continue
        state = wallet.get_status_display() + (", PIN заблокирован" if wallet.pin_locked_at else "")
        account = getattr(wallet, "web_account", None)
        web = f"web {account.email}" if account is not None else "no web account"
        lines.append(
            f"    {row.phone} {wallet.full_name:<22} {wallet.get_operator_display():<8} {state:<26} "
            f"balance {wallet.balance:>9} {web}"
        )
    lines.append("  company INNs for DosTek group: " + ", ".join(DEMO_COMPANY_INNS))
    return "\n".join(lines)
