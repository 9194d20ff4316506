from django.urls import path

from ussd import simulator

app_name = "simulator"
urlpatterns = [
    path("", simulator.phone, name="phone"),
    path("inbox/", simulator.inbox, name="inbox"),
    path("wallets/", simulator.wallets, name="wallets"),
]
