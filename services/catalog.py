"""The service catalog as every channel reads it: active categories and services with their providers, kept in
each process (core/memo.py: read on every menu step and page, changed by an admin now and then). Any save or delete
of a category, service or provider drops the copies (services/apps.py connects the signals, and the models'
catalog_changed for bulk updates and deletes), so an admin edit shows in the web and USSD menus on the next request
(within MEMO_LOCAL_CACHE_SECONDS in the other processes when the cache is local memory)."""

from dataclasses import dataclass

from core.memo import memo_get, memo_invalidate
from services.models import Category, Service

CACHE_KEY = "services:catalog:v1"


@dataclass(frozen=True)
class Catalog:
    categories: tuple[Category, ...]  # active, in the web's order
    services: tuple[Service, ...]  # active, in active categories, with category and provider loaded

    def service(self, *, pk: int | None = None, slug: str | None = None) -> Service | None:
        for service in self.services:
            if (pk is not None and service.pk == pk) or (slug is not None and service.slug == slug):
                return service
        return None

    def category(self, *, pk: int | None = None, slug: str | None = None) -> Category | None:
        for category in self.categories:
            if (pk is not None and category.pk == pk) or (slug is not None and category.slug == slug):
                return category
        return None

    def services_of(self, category: Category) -> list[Service]:
        return [s for s in self.services if s.category_id == category.pk]

    def web_categories(self) -> list[Category]:
        """Categories with at least one active service, as «Услуги» lists them."""
        with_services = {s.category_id for s in self.services}
        return [c for c in self.categories if c.pk in with_services]

    def ussd_categories(self) -> list[Category]:
        top = [c for c in self.categories if c.parent_id is None and c.ussd_number is not None]
        return sorted(top, key=lambda c: c.ussd_number or 0)  # all numbered (filtered above)

    def ussd_services(self, category_id: int | None) -> list[Service]:
        services = [s for s in self.services if s.category_id == category_id and s.ussd_number is not None]
        return sorted(services, key=lambda s: s.ussd_number or 0)  # all numbered (filtered above)


def _build() -> Catalog:
    categories = tuple(Category.objects.filter(is_active=True).order_by("position", "name"))
    services = tuple(
        Service.objects.filter(is_active=True, category__is_active=True)
        .select_related("category", "provider__settlement_account")
        .order_by("position", "name")
    )
    return Catalog(categories=categories, services=services)


def catalog() -> Catalog:
    return memo_get(CACHE_KEY, _build)


def catalog_invalidate(**_signal_kwargs) -> None:
    memo_invalidate(CACHE_KEY)
