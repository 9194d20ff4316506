from django.urls import path

from ussd import views

app_name = "ussd"
urlpatterns = [
    path("gateway/", views.gateway, name="gateway"),
]
