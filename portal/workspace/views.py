"""The workspace's own pages: the user's networks with their task lists, and the network's
public description. The members, sessions and practices pages live in their apps."""

from django.contrib import messages
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext
from django.views.generic import FormView, TemplateView

from conferences.enums import AgreementStatus, SessionStatus
from conferences.models import Agreement, Session
from networks import services as network_services
from networks.models import Membership
from networks.workspace.mixins import NetworkMixin, WorkspaceMixin, workspace_networks
from practices.enums import ReviewStatus
from practices.models import Practice

from .forms import NetworkDescriptionForm

IN_REVIEW = [ReviewStatus.SUBMITTED, ReviewStatus.CHANGES_REQUESTED]


def _count(queryset, network_field):
    """A correlated count of ``queryset`` rows of the outer network (one query in all)."""
    counted = (
        queryset.filter(**{network_field: OuterRef("pk")})
        .order_by()
        .values(network_field)
        .annotate(n=Count("pk", distinct=True))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def networks_with_tasks(user):
    """The user's workspace networks, each with the counts of its task list."""
    today = timezone.localdate()
    pending = Agreement.objects.filter(status__in=AgreementStatus.pending())
    return workspace_networks(user).annotate(
        members_count=_count(Membership.objects.open(), "network"),
        upcoming_sessions_count=_count(
            Session.objects.filter(start__gte=timezone.now()).exclude(
                status=SessionStatus.CANCELLED
            ),
            "networks",
        ),
        pending_agreements_count=_count(pending, "session__networks"),
        overdue_agreements_count=_count(pending.filter(Q(due_date__lt=today)), "session__networks"),
        practices_in_review_count=_count(Practice.objects.filter(status__in=IN_REVIEW), "network"),
        drafts_count=_count(Practice.objects.filter(status=ReviewStatus.DRAFT), "network"),
    )


class HomeView(WorkspaceMixin, TemplateView):
    """My networks: each with what needs doing."""

    template_name = "workspace/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["networks"] = networks_with_tasks(self.request.user)
        return context


class NetworkView(NetworkMixin, TemplateView):
    """One network's task list: members, sessions, agreements, practices, activity."""

    template_name = "workspace/network.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["tasks"] = networks_with_tasks(self.request.user).get(pk=self.network.pk)
        return context


class NetworkDescriptionView(NetworkMixin, FormView):
    """Edit the network's public description (the public profile shows it)."""

    template_name = "workspace/network_description.html"
    form_class = NetworkDescriptionForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.network}

    def form_valid(self, form):
        network = form.save(commit=False)
        network_services.network_save(
            network=network,
            municipalities=list(self.network.municipalities.all()),
            actor=self.request.user,
        )
        messages.success(self.request, gettext("The public description was saved."))
        return redirect("dashboard:network", network=network.slug)
