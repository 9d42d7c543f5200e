"""The conferences pages of the coordinators' workspace, mounted under /dashboard/ by
portal/workspace/urls.py (namespace ``dashboard:sessions``).

A session's pages live under the network they are opened from
(``networks/<network>/sessions/<pk>/…``): a session that is not of that network is a 404.
"""

from django.urls import path

from . import agreements, minutes, participants, views

app_name = "sessions"

SESSION = "networks/<slug:network>/sessions/<int:pk>/"

urlpatterns = [
    path("networks/<slug:network>/sessions/", views.SessionListView.as_view(), name="list"),
    path("networks/<slug:network>/sessions/new/", views.SessionCreateView.as_view(), name="create"),
    path(SESSION, views.SessionDetailView.as_view(), name="detail"),
    path(f"{SESSION}change/", views.SessionUpdateView.as_view(), name="edit"),
    path(f"{SESSION}copy/", views.SessionDuplicateView.as_view(), name="duplicate"),
    path(f"{SESSION}cancel/", views.SessionCancelView.as_view(), name="cancel"),
    # Agenda and challenges
    path(f"{SESSION}agenda/new/", views.AgendaItemFormView.as_view(), name="agenda-add"),
    path(f"{SESSION}agenda/<int:part>/", views.AgendaItemFormView.as_view(), name="agenda-edit"),
    path(
        f"{SESSION}agenda/<int:part>/remove/",
        views.AgendaItemDeleteView.as_view(),
        name="agenda-delete",
    ),
    path(f"{SESSION}challenges/new/", views.ChallengeFormView.as_view(), name="challenge-add"),
    path(
        f"{SESSION}challenges/<int:part>/",
        views.ChallengeFormView.as_view(),
        name="challenge-edit",
    ),
    path(
        f"{SESSION}challenges/<int:part>/delete/",
        views.ChallengeDeleteView.as_view(),
        name="challenge-delete",
    ),
    # Participants and attendance
    path(f"{SESSION}participants/", participants.ParticipantsView.as_view(), name="participants"),
    path(
        f"{SESSION}participants/<int:participation>/remove/",
        participants.ParticipantRemoveView.as_view(),
        name="participant-remove",
    ),
    path(f"{SESSION}attendance/", participants.AttendanceView.as_view(), name="attendance"),
    path(
        f"{SESSION}attendance.<str:file_format>",
        participants.AttendanceDownloadView.as_view(),
        name="attendance-download",
    ),
    # Minutes
    path(f"{SESSION}minutes/", minutes.MinutesView.as_view(), name="minutes"),
    path(
        f"{SESSION}minutes/circulate/",
        minutes.MinutesCirculateView.as_view(),
        name="minutes-circulate",
    ),
    path(
        f"{SESSION}minutes/approve/", minutes.MinutesApproveView.as_view(), name="minutes-approve"
    ),
    path(
        f"{SESSION}minutes/publish/", minutes.MinutesPublishView.as_view(), name="minutes-publish"
    ),
    path(f"{SESSION}minutes/reopen/", minutes.MinutesReopenView.as_view(), name="minutes-reopen"),
    # Agreements
    path(
        f"{SESSION}agreements/new/",
        agreements.AgreementCreateView.as_view(),
        name="agreement-add",
    ),
    path(
        "networks/<slug:network>/agreements/",
        agreements.AgreementListView.as_view(),
        name="agreements",
    ),
    path(
        "networks/<slug:network>/agreements/<int:pk>/",
        agreements.AgreementDetailView.as_view(),
        name="agreement-detail",
    ),
    path(
        "networks/<slug:network>/agreements/<int:pk>/change/",
        agreements.AgreementUpdateView.as_view(),
        name="agreement-edit",
    ),
]
