"""Reads for the cabinet: a holder's operations and receipts, as the domain's history gives them
(services/history.py). Nothing here writes; a payment not found is None, and the view answers 404."""

from services.history import Operation, WalletOperations, wallet_operations, wallet_payment_get
from wallet.models import Wallet

__all__ = ["Operation", "WalletOperations", "wallet_operations", "wallet_operations_page", "wallet_payment_get"]


def wallet_operations_page(*, wallet: Wallet, limit: int) -> list[Operation]:
    """The newest operations (the cabinet's home page)."""
    return wallet_operations(wallet=wallet)[:limit]
