"""The client's address, as far as it can be trusted."""

from django.conf import settings


def client_ip(request) -> str:
    """REMOTE_ADDR, or with TRUSTED_PROXY_COUNT = n proxies in front of us, the n-th address from the right of
    X-Forwarded-For: the one our outermost proxy saw. Entries left of it were written by the client."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < count:
        return remote  # the request did not come through all our proxies
    return forwarded[-count][:45]
