"""Floors: what any page costs before the portal's own work."""

from django.db import connection
from django.http import HttpResponse
from django.shortcuts import render

from practices.models import Theme

from .floors import floor_round


def b0(request):
    """B0: a bare response; everything measured is the server and the middleware stack."""
    return HttpResponse("ok", content_type="text/plain")


def b1(request):
    """B1: one small query and a small template."""
    themes = Theme.objects.order_by("position", "name_es").only("slug", "name_es", "name_en")[:10]
    return render(request, "bench/b1.html", {"themes": themes})


def b2(request, key):
    """B2: a catalogue page's SQL floor behind the bare view of B0, the counts and labels
    kept as the portal keeps them for a repeated request (``floors.catalogue_round``).

    Under load it bounds the page from above: no way of writing the page that still asks
    these questions of the database can serve more requests than this."""
    round_of = floor_round(key, request.GET["path"], kept=True)
    with connection.cursor() as cursor:
        round_of(cursor)
    return HttpResponse("ok", content_type="text/plain")
