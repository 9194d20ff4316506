from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("staff/training/", include("training.urls")),
    path("ussd/", include("ussd.urls")),
    path("demo/phone/", include("ussd.simulator_urls")),
    path("staff/cases/", include("training.case_urls")),
    path("staff/", include("staff.urls")),
    path("staff/cash-desk/", include("cashdesk.urls")),
    path("demo/terminals/", include("cashdesk.terminal_urls")),
    path("", include("api.urls")),
    path("app/", include("appclient.urls")),
    path("", include("cabinet.urls")),
    path("", include("core.urls")),
]
