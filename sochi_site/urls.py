from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("osmp/", include("sochi.osmp_urls")),
    path("", include("sochi.urls")),
]
