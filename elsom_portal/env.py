"""Reading settings from the environment: the only place that touches os.environ for configuration."""

import os

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name} must be one of {sorted(TRUE_WORDS | FALSE_WORDS)}, not {raw!r}")


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from exc


def env_choice(name: str, default: str, choices: list[str]) -> str:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    value = raw.strip().upper()
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {choices}, not {raw!r}")
    return value


def env_keyring(name: str) -> dict[str, bytes]:
    """'id:secret,id:secret' -> {id: secret}: retired keys kept for verifying what was made under them."""
    keys: dict[str, bytes] = {}
    for item in env_list(name, []):
        key_id, sep, secret = item.partition(":")
        if not sep or not key_id.strip() or not secret or "$" in key_id:
            raise ImproperlyConfigured(f"{name}: each entry is 'id:secret' (the id without '$'), got {item[:8]!r}…")
        keys[key_id.strip()] = secret.encode()
    return keys


def env_mapping(name: str) -> dict[str, str]:
    """'key=value,key=value' -> {key: value}, checked now (a typo must stop start-up)."""
    mapping: dict[str, str] = {}
    for item in env_list(name, []):
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise ImproperlyConfigured(f"{name}: each entry is 'key=value', got {item!r}")
        mapping[key.strip()] = value.strip()
    return mapping


def env_cidrs(name: str) -> list[str]:
    """Comma-separated networks (CIDR or single addresses), checked now: a typo must stop start-up, not turn
    every request into a 500 later."""
    import ipaddress

    networks = env_list(name, [])
    for network in networks:
        try:
            ipaddress.ip_network(network, strict=False)
        except ValueError as exc:
            raise ImproperlyConfigured(f"{name}: {network!r} is not a network (e.g. 10.0.0.0/8)") from exc
    return networks


def env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a number of seconds, not {raw!r}") from exc
    if not 0 < value < 3600:
        raise ImproperlyConfigured(f"{name} must be between 0 and 3600 seconds, not {raw!r}")
    return value
