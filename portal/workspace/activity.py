"""A network's activity: every change to its records, from the audit trail (common.audit)."""

from django.views.generic import TemplateView

from networks.workspace.mixins import NetworkMixin


class ActivityView(NetworkMixin, TemplateView):
    template_name = "workspace/activity.html"
