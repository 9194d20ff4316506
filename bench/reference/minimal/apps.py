from django.apps import AppConfig


class MinimalConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "minimal"
