"""Mounted under /admin/figures/ by portal/urls.py, before the admin's own URLs."""

from django.contrib import admin
from django.urls import path

from . import views

app_name = "figures"

urlpatterns = [
    path("", admin.site.admin_view(views.DonorFiguresView.as_view()), name="donor"),
    path(
        "figures.xlsx",
        admin.site.admin_view(views.DonorFiguresDownloadView.as_view()),
        name="donor-xlsx",
    ),
]
