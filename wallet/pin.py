"""PIN hashes: HMAC-SHA256 keyed by a secret that the database does not hold.

A 4-digit PIN has 10^4 values, so any unkeyed hash, however slow, falls to an offline search of a stolen
database in minutes. What protects a PIN is the attempt counter (3 tries) plus a key kept outside the database
(`PIN_HASH_KEY`): without the key the hashes are useless, and checking one costs microseconds instead of
Argon2's 100 MiB. Keys rotate: the key id is stored with each hash, hashes under an older key (or the Argon2
hashes of earlier releases) still verify and are rewritten under the current key on the next good PIN.

Encoded form: ``hmac-sha256$<key id>$<salt>$<hex digest>``, the digest over ``<wallet id> NUL <salt> NUL <PIN>``
(the wallet id binds a hash to its wallet: copied onto another row it does not verify).
"""

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import check_password

ALGORITHM = "hmac-sha256"
SALT_BYTES = 8

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PinCheck:
    ok: bool
    # The hash was made under an older key or an older algorithm: store a fresh one now that the PIN is known.
    needs_rehash: bool = False


def _digest(key: bytes, wallet_id: int, salt: str, pin: str) -> str:
    return hmac.new(key, f"{wallet_id}\x00{salt}\x00{pin}".encode(), hashlib.sha256).hexdigest()


def pin_hash_make(*, wallet_id: int, pin: str) -> str:
    if wallet_id is None:
        raise ValueError("a PIN hash is bound to a saved wallet")
    key_id = settings.PIN_HASH_KEY_ID
    salt = secrets.token_hex(SALT_BYTES)
    return f"{ALGORITHM}${key_id}${salt}${_digest(settings.PIN_HASH_KEYS[key_id], wallet_id, salt, pin)}"


def pin_hash_check(*, wallet_id: int, pin: str, encoded: str) -> PinCheck:
    """Whether `pin` is the PIN of this wallet. Constant time in the PIN for our own hashes."""
    if not encoded:
        return PinCheck(ok=False)
    algorithm, _sep, rest = encoded.partition("$")
    if algorithm != ALGORITHM:
        # A hash from before keyed PINs (Django's password hashers): slow once, then rewritten.
        ok = check_password(pin or "", encoded)
        return PinCheck(ok=ok, needs_rehash=ok)
    try:
        key_id, salt, digest = rest.split("$")
    except ValueError:
        logger.error("malformed PIN hash for wallet %s", wallet_id)
        return PinCheck(ok=False)
    key = settings.PIN_HASH_KEYS.get(key_id)
    if key is None:
        # The key was retired before this PIN was used again: nobody can verify it; the call-centre sends a new PIN.
        logger.error("PIN hash of wallet %s is under unknown key id %r", wallet_id, key_id)
        return PinCheck(ok=False)
    ok = hmac.compare_digest(digest, _digest(key, wallet_id, salt, pin or ""))
    return PinCheck(ok=ok, needs_rehash=ok and key_id != settings.PIN_HASH_KEY_ID)
