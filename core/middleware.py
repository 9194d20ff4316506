"""Response headers every page of the portal gets."""

from django.utils.cache import patch_cache_control


class NoStoreMiddleware:
    """`Cache-Control: no-store` unless a view said otherwise: almost every page shows a balance, a payment, a
    number or a code, and a shared computer's browser cache or a proxy must keep none of them. Static files are
    answered by WhiteNoise before this runs and keep their long cache lifetimes."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, no_store=True, private=True)
        return response
