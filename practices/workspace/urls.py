"""The practices pages of the coordinators' workspace, mounted under /dashboard/ by
portal/workspace/urls.py."""

from django.urls import path

from . import views

app_name = "practices"

PRACTICE = "networks/<slug:network>/practices/<int:pk>/"

urlpatterns = [
    path("networks/<slug:network>/practices/", views.PracticeListView.as_view(), name="list"),
    path("networks/<slug:network>/practices/new/", views.PracticeCreateView.as_view(), name="new"),
    path(PRACTICE, views.PracticeDetailView.as_view(), name="detail"),
    path(f"{PRACTICE}answers/<slug:step>/", views.PracticeStepView.as_view(), name="edit"),
    path(f"{PRACTICE}check/", views.PracticeCheckView.as_view(), name="check"),
    path(f"{PRACTICE}move/<slug:to>/", views.PracticeMoveView.as_view(), name="move"),
    path(f"{PRACTICE}delete/", views.PracticeDeleteView.as_view(), name="delete"),
    path(f"{PRACTICE}files/", views.AttachmentsView.as_view(), name="attachments"),
    path(
        f"{PRACTICE}files/<int:attachment>/remove/",
        views.AttachmentRemoveView.as_view(),
        name="attachment-remove",
    ),
]
