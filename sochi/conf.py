"""СОЧИ's settings with their defaults, read at call time (tests override them; the wallet's test settings, which
host СОЧИ's tables for the in-process tests, set only some). Missing credentials refuse everyone."""

import ipaddress
from datetime import timedelta

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def osmp_credentials() -> tuple[bytes, bytes]:
    user = getattr(settings, "SOCHI_OSMP_USER", "") or ""
    password = getattr(settings, "SOCHI_OSMP_PASSWORD", "") or ""
    return user.encode("utf-8"), password.encode("utf-8")


def osmp_allowed_networks() -> list[Network]:
    """Empty = any address. Entries may be network objects (sochi_site.settings parses them at start-up) or
    strings (a test's override)."""
    entries = getattr(settings, "SOCHI_OSMP_ALLOWED_NETWORKS", None) or []
    return [entry if not isinstance(entry, str) else ipaddress.ip_network(entry, strict=False) for entry in entries]


def faults_enabled() -> bool:
    return bool(getattr(settings, "SOCHI_FAULTS_ENABLED", False))


def pin_attempts() -> int:
    return int(getattr(settings, "SOCHI_PIN_ATTEMPTS", 5))


def pin_lock() -> timedelta:
    return getattr(settings, "SOCHI_PIN_LOCK", timedelta(minutes=15))


def demo_allowed() -> bool:
    return bool(getattr(settings, "DEBUG", False) or getattr(settings, "DEMO_MODE", False))


def call_centre_phone() -> str:
    return getattr(settings, "DOSTEK_CALL_CENTRE_PHONE", "0312 960 888")
