"""The networks pages of the coordinators' workspace, mounted under /dashboard/ by
portal/workspace/urls.py."""

app_name = "members"

urlpatterns = []
