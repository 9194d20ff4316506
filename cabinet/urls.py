from django.urls import path

from cabinet.views import auth, history, onboarding, pay, pin

app_name = "cabinet"
urlpatterns = [
    path("", auth.entry, name="entry"),
    path("register/", auth.register, name="register"),
    path("register/code/", auth.register_code, name="register_code"),
    path("open/", onboarding.open_wallet, name="open_wallet"),
    path("open/code/", onboarding.open_code, name="open_code"),
    path("open/details/", onboarding.open_details, name="open_details"),
    path("open/done/", onboarding.open_done, name="open_done"),
    path("login/", auth.password, name="password"),
    path("password/forgot/", auth.password_forgot, name="password_forgot"),
    path("password/reset/", auth.password_reset, name="password_reset"),
    path("pin/forgot/", pin.pin_forgot, name="pin_forgot"),
    path("pin/reset/", pin.pin_reset, name="pin_reset"),
    path("logout/", auth.sign_out, name="logout"),
    path("offer/", auth.offer, name="offer"),
    path("cabinet/", history.home, name="home"),
    path("cabinet/services/", pay.services, name="services"),
    path("cabinet/services/<slug:slug>/", pay.category, name="category"),
    path("cabinet/pay/<slug:slug>/", pay.pay_form, name="pay_form"),
    path("cabinet/pay/<slug:slug>/confirm/", pay.pay_confirm, name="pay_confirm"),
    path("cabinet/payments/<str:code>/", pay.pay_done, name="pay_done"),
    path("cabinet/history/", history.history, name="history"),
    path("cabinet/receipts/<str:code>/", history.receipt, name="receipt"),
    path("cabinet/receipts/<str:code>/pdf/", history.receipt_pdf, name="receipt_pdf"),
    path("cabinet/password/", auth.password_change, name="password_change"),
    path("cabinet/pin/", pin.pin_change, name="pin_change"),
]
