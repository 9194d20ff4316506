from django.urls import path, re_path

from cashdesk import views

app_name = "cashdesk"
urlpatterns = [
    path("", views.branch, name="branch"),
    re_path(r"^receipts/(?P<receipt>KB[0-9]{6}-[0-9]{6})/$", views.branch_receipt, name="branch_receipt"),
]
