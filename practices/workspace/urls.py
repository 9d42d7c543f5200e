"""The practices pages of the coordinators' workspace, mounted under /dashboard/ by
portal/workspace/urls.py."""

app_name = "practices"

urlpatterns = []
