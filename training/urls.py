from django.urls import path

from training import views

app_name = "training"
urlpatterns = [
    path("", views.board, name="board"),
    path("start/<slug:slug>/", views.start, name="start"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("runs/<int:pk>/reset/", views.run_reset, name="run_reset"),
    path("runs/<int:pk>/lift-sms/", views.run_lift_sms, name="run_lift_sms"),
    path("reset/", views.reset, name="reset"),
]
urlpatterns += [
    path("classes/", views.classes, name="classes"),
    path("classes/<int:pk>/delete/", views.class_delete, name="class_delete"),
    path("classes/<int:pk>/board/", views.class_board_view, name="class_board"),
    path("classes/<int:pk>/assign/", views.class_assign, name="class_assign"),
]
