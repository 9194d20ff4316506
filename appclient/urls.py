from django.urls import path

from appclient import views

app_name = "appclient"
urlpatterns = [
    path("", views.shell, name="shell"),
    path("sw.js", views.service_worker, name="service_worker"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("i18n/<str:language>.json", views.catalogue, name="catalogue"),
]
