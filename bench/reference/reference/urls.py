"""The reference project's URLs: startproject's admin plus the two views the HTTP bench drives."""

from django.contrib import admin
from django.urls import path
from minimal import views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("page/", views.page, name="page"),
    path("pay/", views.pay, name="pay"),
]
