from django.urls import path, re_path

from cashdesk import views

app_name = "terminals"
urlpatterns = [
    path("", views.terminals, name="list"),
    re_path(r"^(?P<channel>qiwi|mobilnik|kicb-terminal)/$", views.terminal, name="screen"),
]
