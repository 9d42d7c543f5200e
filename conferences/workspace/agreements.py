"""Agreements: a network's list (overdue and open first), one agreement with its dated
follow-up notes, recording a new one at a session and changing it."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.views.generic import ListView, TemplateView

from common.pagination import LenientPaginationMixin
from networks.workspace.mixins import NetworkMixin

from .. import selectors, services
from ..models import Agreement
from .forms import AgreementFilterForm, AgreementForm, FollowUpForm
from .views import SessionMixin, add_service_errors


class AgreementListView(NetworkMixin, LenientPaginationMixin, ListView):
    template_name = "workspace/sessions/agreements.html"
    context_object_name = "agreements"
    paginate_by = 25

    def get_queryset(self):
        self.filter_form = AgreementFilterForm(self.request.GET or None)
        status = ""
        if self.filter_form.is_bound and self.filter_form.is_valid():
            status = self.filter_form.cleaned_data["status"]
        self.filters = {"status": status} if status else {}
        return selectors.network_agreements(self.request.user, self.network, status=status)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            filter_form=self.filter_form,
            is_filtered=bool(self.filters),
            filter_query=urlencode(self.filters),
        )
        return context


class AgreementMixin(NetworkMixin):
    agreement_action = "view"

    @cached_property
    def agreement(self) -> Agreement:
        return selectors.workspace_agreement(
            self.request.user, self.network, self.kwargs["pk"], self.agreement_action
        )

    def agreement_url(self):
        return reverse(
            "dashboard:sessions:agreement-detail",
            kwargs={"network": self.network.slug, "pk": self.agreement.pk},
        )

    def session_url(self):
        return reverse(
            "dashboard:sessions:detail",
            kwargs={"network": self.network.slug, "pk": self.agreement.session_id},
        )


class AgreementDetailView(AgreementMixin, TemplateView):
    """One agreement: who is responsible, when it is due, its notes as a timeline, and a
    quick update (status and a dated note)."""

    template_name = "workspace/sessions/agreement_detail.html"

    @property
    def agreement_action(self):
        return "change" if self.request.method == "POST" else "view"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        agreement = self.agreement
        context.update(
            agreement=agreement,
            notes=services.follow_up_notes(agreement),
            form=kwargs.get("form") or FollowUpForm(instance=agreement),
            may_change=self.request.user.has_perm("conferences.change_agreement", agreement),
            session_url=self.session_url(),
        )
        return context

    def post(self, request, *args, **kwargs):
        form = FollowUpForm(request.POST, instance=self.agreement)
        if form.is_valid():
            try:
                services.agreement_update(
                    agreement=form.save(commit=False),
                    status=form.cleaned_data["status"],
                    follow_up_note=form.cleaned_data["follow_up_note"],
                    actor=request.user,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, gettext("The agreement was updated."))
                return HttpResponseRedirect(self.agreement_url())
        return self.render_to_response(self.get_context_data(form=form))


class AgreementFormMixin:
    template_name = "workspace/sessions/part_form.html"

    def get_form(self, data=None):
        return AgreementForm(
            data, instance=self.get_record(), network=self.network, user=self.request.user
        )

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=self.get_form()))

    def post(self, request, *args, **kwargs):
        form = self.get_form(request.POST)
        if form.is_valid():
            try:
                agreement = services.agreement_save(
                    agreement=form.save(commit=False),
                    follow_up_note=form.cleaned_data.get("follow_up_note", ""),
                    actor=request.user,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, gettext("The agreement was saved."))
                return HttpResponseRedirect(
                    reverse(
                        "dashboard:sessions:agreement-detail",
                        kwargs={"network": self.network.slug, "pk": agreement.pk},
                    )
                )
        return self.render_to_response(self.get_context_data(form=form))


class AgreementCreateView(AgreementFormMixin, SessionMixin, TemplateView):
    """Record an agreement made at this session."""

    session_action = "change"

    def get_record(self):
        return Agreement(session=self.session)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            title=gettext("Record an agreement"),
            button=gettext("Save the agreement"),
            back_url=self.session_url(anchor="agreements"),
        )
        return context


class AgreementUpdateView(AgreementFormMixin, AgreementMixin, TemplateView):
    agreement_action = "change"

    def get_record(self):
        return self.agreement

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            session=self.agreement.session,
            session_url=self.session_url(),
            title=gettext("Change the agreement"),
            button=gettext("Save the changes"),
            back_url=self.agreement_url(),
        )
        return context
