"""Keyed PIN hashes: fast, bound to the wallet, rotatable, and old hashes migrate on the next good PIN."""

import statistics
import time

import pytest
from django.contrib.auth.hashers import make_password

from wallet.models import Wallet
from wallet.operations import wallet_pin_verify
from wallet.pin import pin_hash_check, pin_hash_make


def test_a_hash_verifies_its_pin_only():
    encoded = pin_hash_make(wallet_id=7, pin="2580")
    assert encoded.startswith("hmac-sha256$1$") and "2580" not in encoded
    assert pin_hash_check(wallet_id=7, pin="2580", encoded=encoded).ok
    assert not pin_hash_check(wallet_id=7, pin="2581", encoded=encoded).ok
    assert not pin_hash_check(wallet_id=7, pin="", encoded=encoded).ok


def test_a_hash_is_bound_to_its_wallet_and_salted():
    """Copied onto another wallet's row it does not verify; the same PIN hashes differently every time."""
    encoded = pin_hash_make(wallet_id=7, pin="2580")
    assert not pin_hash_check(wallet_id=8, pin="2580", encoded=encoded).ok
    assert pin_hash_make(wallet_id=7, pin="2580") != encoded


def test_a_wrong_pin_costs_microseconds_not_argon2():
    """The 10^4 PINs are protected by the key and the attempt counter, not by a slow hash: under 1 ms a check."""
    encoded = pin_hash_make(wallet_id=1, pin="2580")
    timings = []
    for _ in range(200):
        started = time.perf_counter()
        pin_hash_check(wallet_id=1, pin="1111", encoded=encoded)
        timings.append(time.perf_counter() - started)
    assert statistics.median(timings) < 0.001


def test_the_key_is_what_protects_the_pin(settings):
    """The same PIN, wallet and salt under another key gives another digest: a stolen database alone is not
    enough to search the 10^4 PINs."""
    encoded = pin_hash_make(wallet_id=1, pin="2580")
    settings.PIN_HASH_KEYS = {"1": b"another key altogether"}
    assert not pin_hash_check(wallet_id=1, pin="2580", encoded=encoded).ok


def test_a_hash_under_a_retired_key_verifies_and_asks_for_a_rehash(settings):
    old = pin_hash_make(wallet_id=3, pin="2580")
    settings.PIN_HASH_KEY_ID = "2"
    settings.PIN_HASH_KEYS = {"1": settings.PIN_HASH_KEYS["1"], "2": b"the new key"}
    check = pin_hash_check(wallet_id=3, pin="2580", encoded=old)
    assert check.ok and check.needs_rehash
    assert not pin_hash_check(wallet_id=3, pin="2581", encoded=old).needs_rehash
    settings.PIN_HASH_KEYS = {"2": b"the new key"}  # key 1 removed: its hashes can no longer verify
    assert not pin_hash_check(wallet_id=3, pin="2580", encoded=old).ok


def test_malformed_or_empty_hashes_never_verify():
    for encoded in ("", "hmac-sha256$1$zz", "hmac-sha256$", "plain"):
        assert not pin_hash_check(wallet_id=1, pin="2580", encoded=encoded).ok


@pytest.mark.django_db
def test_the_next_good_pin_rewrites_a_hash_under_the_current_key(make_wallet, settings):
    wallet = make_wallet(pin="2580")
    settings.PIN_HASH_KEY_ID = "2"
    settings.PIN_HASH_KEYS = {**settings.PIN_HASH_KEYS, "2": b"rotated key"}
    with pytest.raises(Exception, match="Неверный PIN"):
        wallet_pin_verify(wallet=wallet, pin="1111")
    assert Wallet.objects.get(pk=wallet.pk).pin_hash.startswith("hmac-sha256$1$")  # a wrong PIN changes no hash
    wallet_pin_verify(wallet=wallet, pin="2580")
    stored = Wallet.objects.get(pk=wallet.pk).pin_hash
    assert stored.startswith("hmac-sha256$2$") and pin_hash_check(wallet_id=wallet.pk, pin="2580", encoded=stored).ok


@pytest.mark.django_db
def test_an_argon2_hash_of_the_first_release_migrates_on_the_next_good_pin(make_wallet):
    """Wallets opened before keyed PINs keep working; their slow hash is replaced once the PIN is known."""
    wallet = make_wallet(pin="2580")
    Wallet.objects.filter(pk=wallet.pk).update(pin_hash=make_password("2580"))
    wallet.refresh_from_db()
    wallet_pin_verify(wallet=wallet, pin="2580")
    stored = Wallet.objects.get(pk=wallet.pk).pin_hash
    assert stored.startswith("hmac-sha256$1$")
