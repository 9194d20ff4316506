from django.db import connection
from django.http import HttpResponse
from django.shortcuts import render

from services.models import Category


def home(request):
    categories = Category.objects.filter(parent=None, is_active=True).prefetch_related("services")
    return render(request, "core/home.html", {"categories": categories})


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")
