"""The networks pages of the coordinators' workspace, mounted under /dashboard/ by
portal/workspace/urls.py."""

from django.urls import path

from . import views

app_name = "members"

MEMBERS = "networks/<slug:network>/members/"
PERSON = MEMBERS + "<int:person>/"
SEAT = PERSON + "memberships/<int:membership>/"

urlpatterns = [
    path(MEMBERS, views.MemberListView.as_view(), name="list"),
    path(MEMBERS + "add/", views.MemberAddView.as_view(), name="add"),
    path(MEMBERS + "add/check/", views.MemberAddCheckView.as_view(), name="add-check"),
    path(MEMBERS + "upload/", views.MembersUploadView.as_view(), name="upload"),
    path(
        MEMBERS + "upload/confirm/", views.MembersUploadConfirmView.as_view(), name="upload-confirm"
    ),
    path(MEMBERS + "download/", views.MembersDownloadView.as_view(), name="download"),
    path(
        MEMBERS + "download/csv/",
        views.MembersDownloadFileView.as_view(file_format="csv"),
        name="download-csv",
    ),
    path(
        MEMBERS + "download/xlsx/",
        views.MembersDownloadFileView.as_view(file_format="xlsx"),
        name="download-xlsx",
    ),
    path(PERSON, views.MemberDetailView.as_view(), name="detail"),
    path(PERSON + "edit/", views.PersonEditView.as_view(), name="edit"),
    path(PERSON + "start/", views.MembershipStartView.as_view(), name="start"),
    path(PERSON + "invite/", views.MemberInviteView.as_view(), name="invite"),
    path(SEAT + "role/", views.MembershipRoleView.as_view(), name="role"),
    path(SEAT + "end/", views.MembershipEndView.as_view(), name="end"),
]
