from django.conf import settings


def portal(request):
    return {
        "DEMO_MODE": settings.DEMO_MODE,
        "CALL_CENTRE_PHONE": settings.CALL_CENTRE_PHONE,
        "DOSTEK_CALL_CENTRE_PHONE": settings.DOSTEK_CALL_CENTRE_PHONE,
    }
