"""The coordinators' workspace: everything under /dashboard/ (and /en/dashboard/).

Each app serves its own pages under one namespace (``dashboard:<app>:<page>``):
``networks.workspace`` the members, ``conferences.workspace`` the sessions,
``practices.workspace`` the practice drafts, ``accounts`` the user's own account.
"""

from django.urls import include, path

from . import activity, views

app_name = "dashboard"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("networks/<slug:network>/", views.NetworkView.as_view(), name="network"),
    path(
        "networks/<slug:network>/description/",
        views.NetworkDescriptionView.as_view(),
        name="network-description",
    ),
    path(
        "networks/<slug:network>/activity/",
        activity.ActivityView.as_view(),
        name="activity",
    ),
    path("", include("networks.workspace.urls")),
    path("", include("conferences.workspace.urls")),
    path("", include("practices.workspace.urls")),
    path("account/", include("accounts.urls")),
]
