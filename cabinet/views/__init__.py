"""The web cabinet's views, by job (each view validates, calls one domain function, renders):

- auth: «Войти» by wallet number, registering the web account, the password (sign-in, reset, change), sign-out;
- onboarding: opening a wallet on the website (number -> SMS code -> name, INN, offer);
- pay: «Услуги» -> «Другие» -> «DosTek group» -> confirm («Назад» / «Оплатить») -> the payment's page;
- history: the home page, «История», receipts;
- codes and shared: the SMS-code step the three code pages share, and the holder's guard and sign-in.

cabinet/urls.py names the view of each module."""

# settings.AXES_LOCKOUT_CALLABLE names it here, where it lived before the views were split.
from cabinet.views.auth import lockout_response

__all__ = ["lockout_response"]
