from django.urls import path

from . import views

app_name = "conferences"

urlpatterns = [
    path("conferences/", views.ConferenceListView.as_view(), name="conference-list"),
    path(
        "conferences/<slug:slug>/", views.ConferenceDetailView.as_view(), name="conference-detail"
    ),
    path("figures/", views.FiguresView.as_view(), name="figures"),
    path("sessions/<str:key>.ics", views.session_ics, name="session-ics"),
    path("sessions/<str:key>/", views.SessionDetailView.as_view(), name="session-detail"),
    path("networks/<slug:slug>/calendar.ics", views.network_calendar, name="network-calendar"),
]
