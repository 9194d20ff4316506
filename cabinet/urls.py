from django.urls import path

app_name = "cabinet"
urlpatterns: list = []
