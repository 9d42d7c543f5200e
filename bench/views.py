"""Floors: what any page costs before the portal's own work."""

from django.http import HttpResponse
from django.shortcuts import render

from practices.models import Theme


def b0(request):
    """B0: a bare response; everything measured is the server and the middleware stack."""
    return HttpResponse("ok", content_type="text/plain")


def b1(request):
    """B1: one small query and a small template."""
    themes = Theme.objects.order_by("position", "name_es").only("slug", "name_es", "name_en")[:10]
    return render(request, "bench/b1.html", {"themes": themes})
