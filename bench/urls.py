"""The portal's URLs plus the benchmark floors; portal/urls.py stays free of bench routes."""

from django.urls import path

from portal.urls import urlpatterns as portal_urlpatterns

from . import views

urlpatterns = [
    path("bench/b0", views.b0, name="bench-b0"),
    path("bench/b1", views.b1, name="bench-b1"),
    path("bench/b2/<slug:key>", views.b2, name="bench-b2"),
    *portal_urlpatterns,
]
