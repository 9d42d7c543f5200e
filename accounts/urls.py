"""The user's own account in the workspace (/dashboard/account/); allauth's pages for the
password, e-mail, two-factor authentication and sessions stay under /accounts/."""

from django.urls import path

from . import views

app_name = "myaccount"

urlpatterns = [
    path("", views.AccountView.as_view(), name="overview"),
]
