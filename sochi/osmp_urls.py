from django.urls import path

from sochi import osmp_views

app_name = "osmp"

urlpatterns = [
    path("", osmp_views.osmp, name="protocol"),
    path("report/", osmp_views.report, name="report"),
    path("faults/", osmp_views.faults, name="faults"),
    path("companies/", osmp_views.companies, name="companies"),
]
