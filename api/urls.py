from django.urls import path, re_path

from api.api import api, route_not_found

urlpatterns = [
    path("api/v1/", api.urls),
    # Anything else under /api/ answers in the API's error shape, not with the website's 404 page.
    re_path(r"^api/", route_not_found),
]
