from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class ServicesConfig(AppConfig):
    name = "services"
    verbose_name = _("Услуги и платежи")

    def ready(self) -> None:
        # Cache invalidation, not business logic: an admin edit of the catalog drops the cached copy.
        from services.catalog import catalog_invalidate
        from services.models import Category, Provider, Service, catalog_changed

        for model in (Category, Service, Provider):
            post_save.connect(catalog_invalidate, sender=model, dispatch_uid=f"catalog-{model.__name__}-save")
            post_delete.connect(catalog_invalidate, sender=model, dispatch_uid=f"catalog-{model.__name__}-delete")
        catalog_changed.connect(catalog_invalidate, dispatch_uid="catalog-bulk-change")
