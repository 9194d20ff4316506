from django.urls import path

from training import case_views

app_name = "cases"
urlpatterns = [
    path("", case_views.cases, name="list"),
    path("<int:pk>/", case_views.case, name="card"),
]
