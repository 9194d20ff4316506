"""The django-hordak peer of the ledger bench: a Django project of its own, run by its own virtual environment
(see peer.py and bench/ledger_peer_hordak.py)."""
