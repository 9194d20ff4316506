from django.urls import path, re_path

from staff import casework, views

app_name = "staff"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", views.SignOutView.as_view(), name="logout"),
    re_path(r"^wallets/(?P<number>996[0-9]{9})/$", views.customer, name="customer"),
    re_path(r"^wallets/(?P<number>996[0-9]{9})/do/(?P<slug>[a-z-]{1,30})/$", views.wallet_action, name="wallet_action"),
    re_path(r"^payments/(?P<code>[0-9]{12})/$", views.payment, name="payment"),
    re_path(r"^payments/(?P<code>[0-9]{12})/do/(?P<slug>[a-z-]{1,30})/$", views.payment_action, name="payment_action"),
    re_path(r"^wallets/(?P<number>996[0-9]{9})/identity/$", casework.identity_check, name="identity_check"),
    re_path(r"^wallets/(?P<number>996[0-9]{9})/escalate/$", casework.escalate, name="escalate"),
    re_path(r"^wallets/(?P<number>996[0-9]{9})/notes/$", casework.case_note, name="case_note"),
    path("escalations/", casework.escalations, name="escalations"),
    re_path(r"^escalations/(?P<pk>[0-9]{1,18})/close/$", casework.escalation_close_view, name="escalation_close"),
    path("refunds/", views.refunds, name="refunds"),
    re_path(r"^refunds/(?P<pk>[0-9]{1,18})/(?P<slug>approve|reject)/$", views.refund_action, name="refund_action"),
]
