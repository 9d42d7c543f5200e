"""The invitation links mailed by ``networks.invitations`` (mounted at /accounts/invitation/)."""

from django.urls import path

from . import invitation_views

app_name = "invitations"

urlpatterns = [
    path("<str:key>/", invitation_views.InvitationAcceptView.as_view(), name="accept"),
]
