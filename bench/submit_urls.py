"""Tillit's URLs plus the baseline of bench/submit.py: a form POST that does one INSERT.

Used only by the benchmark (through bench.submit_settings), never by the product.
"""

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views.decorators.http import require_POST


@require_POST
def one_insert(request: HttpRequest) -> HttpResponse:
    """The floor for any form POST that stores something: one INSERT, a tiny page."""
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO bench_insert (payload) VALUES (%s)", [request.POST["payload"]])
    return HttpResponse("<!doctype html><title>ok</title><p>ok</p>")


urlpatterns = [
    path("bench/insert/", one_insert),
    path("", include("tillit.urls")),
]
