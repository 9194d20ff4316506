from django.urls import path

from cabinet import views

app_name = "cabinet"
urlpatterns = [
    path("", views.entry, name="entry"),
    path("register/", views.register, name="register"),
    path("register/code/", views.register_code, name="register_code"),
    path("open/", views.open_wallet, name="open_wallet"),
    path("open/code/", views.open_code, name="open_code"),
    path("open/details/", views.open_details, name="open_details"),
    path("open/done/", views.open_done, name="open_done"),
    path("login/", views.password, name="password"),
    path("password/forgot/", views.password_forgot, name="password_forgot"),
    path("password/reset/", views.password_reset, name="password_reset"),
    path("logout/", views.sign_out, name="logout"),
    path("offer/", views.offer, name="offer"),
    path("cabinet/", views.home, name="home"),
    path("cabinet/services/", views.services, name="services"),
    path("cabinet/services/<slug:slug>/", views.category, name="category"),
    path("cabinet/pay/<slug:slug>/", views.pay_form, name="pay_form"),
    path("cabinet/pay/<slug:slug>/confirm/", views.pay_confirm, name="pay_confirm"),
    path("cabinet/payments/<str:code>/", views.pay_done, name="pay_done"),
    path("cabinet/history/", views.history, name="history"),
    path("cabinet/receipts/<str:code>/", views.receipt, name="receipt"),
    path("cabinet/password/", views.password_change, name="password_change"),
]
