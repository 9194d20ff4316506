from django.urls import path

app_name = "ussd"
urlpatterns: list = []
