from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffConfig(AppConfig):
    name = "staff"
    verbose_name = _("Работа персонала")

    def ready(self):
        from django.contrib import admin

        from staff.forms import AdminSignInForm

        # The admin's sign-in gets the console's limits (a long username, failures per address) before axes.
        admin.site.login_form = AdminSignInForm
