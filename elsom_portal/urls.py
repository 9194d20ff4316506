from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("ussd/", include("ussd.urls")),
    path("demo/phone/", include("ussd.simulator_urls")),
    path("", include("cabinet.urls")),
    path("", include("core.urls")),
]
