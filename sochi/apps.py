from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SochiConfig(AppConfig):
    name = "sochi"
    verbose_name = _("СОЧИ (DosTek group)")
