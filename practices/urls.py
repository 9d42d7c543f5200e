from django.urls import path

from . import exports, feeds, views, views_attachments

app_name = "practices"

# Fixed routes first: "feed" would otherwise be read as a practice's slug.
urlpatterns = [
    path("", views.PracticeListView.as_view(), name="practice-list"),
    path("feed/", feeds.LatestPracticesFeed(), name="practice-feed"),
    path("export.csv", exports.practice_export_csv, name="practice-export-csv"),
    path("export.json", exports.practice_export_json, name="practice-export-json"),
    path(
        "attachments/<int:pk>/download/",
        views_attachments.attachment_download,
        name="attachment-download",
    ),
    path("<slug:slug>/", views.PracticeDetailView.as_view(), name="practice-detail"),
]
