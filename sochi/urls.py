from django.urls import path

from sochi import views

app_name = "sochi"

urlpatterns = [
    path("", views.home, name="home"),
    path("signin/", views.signin_inn, name="signin"),
    path("signin/role/", views.signin_role, name="signin_role"),
    path("signin/pin/", views.signin_pin, name="signin_pin"),
    path("company/", views.company, name="company"),
    path("signout/", views.signout, name="signout"),
]
