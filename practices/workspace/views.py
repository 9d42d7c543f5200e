"""The good-practice pages of the coordinators' workspace (networks/<network>/practices/).

A coordinator drafts a practice through a few question pages (each one saves the draft, so
nothing is lost when a phone loses signal), checks the answers, submits it for review, reads
the reviewer's comments, answers and submits again. Every record comes through the access
rule (``networks.access``): another network's practice or file is a 404; a practice in
review or published is read-only to its coordinators (any write answers 403); every write
goes through ``practices.services`` with the user as actor.
"""

from pathlib import PurePath

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext
from django.views.generic import FormView, ListView, TemplateView

from common.pagination import LenientPaginationMixin
from networks import access
from networks.workspace.mixins import NetworkMixin

from .. import selectors, services
from ..enums import ReviewStatus
from ..models import Attachment, Practice
from ..permissions import may_make
from ..uploads import safe_original_name
from ..workflow import Actor, find_transition, transitions_from
from . import forms


def add_service_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError on ``form``: on its field when the form has it, at
    the top otherwise."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class _Prepared:
    """Calls ``prepare()`` once the user is known to be signed in and ``self.network`` is
    set: it comes after NetworkMixin and LoginRequiredMixin in the views' MRO, before the
    generic view, so a record it looks up is already scoped to the network in the URL."""

    def prepare(self):
        pass

    def dispatch(self, request, *args, **kwargs):
        self.prepare()
        return super().dispatch(request, *args, **kwargs)


class PracticeMixin(NetworkMixin, _Prepared):
    """A page about one practice of the network (``pk`` in the URL).

    ``practice_action`` is what the page needs: "view" (read), "change" (a question page,
    files), "delete". A practice of another network is a 404; one the user sees but may not
    take the action on (a practice in review, a published one) is a 403, whatever the method.
    """

    practice_action = "view"

    def get_practice_queryset(self):
        return Practice.objects.filter(network=self.network)

    def prepare(self):
        self.practice = access.get_or_404(
            self.request.user,
            self.get_practice_queryset(),
            self.practice_action,
            pk=self.kwargs["pk"],
        )

    def practice_url(self, name="detail", **kwargs):
        return reverse(
            f"dashboard:practices:{name}",
            kwargs={"network": self.network.slug, "pk": self.practice.pk, **kwargs},
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["practice"] = self.practice
        context["may_change"] = access.allows(self.request.user, "change", Practice, self.practice)
        return context


# The list ---------------------------------------------------------------------------------


class PracticeListView(NetworkMixin, LenientPaginationMixin, ListView):
    """The network's practices, those waiting for the coordinator's work first."""

    template_name = "workspace/practices/list.html"
    context_object_name = "practices"
    paginate_by = 50

    def get_queryset(self):
        return selectors.workspace_practices(network=self.network, user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["may_add"] = access.allows(self.request.user, "add", Practice)
        return context


# The question pages ------------------------------------------------------------------------


class QuestionMixin:
    """What the question pages share: their template, their place among the steps."""

    template_name = "workspace/practices/question.html"
    step = forms.STEPS[0]

    def get_form_class(self):
        return self.step.form_class

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "network": self.network}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            step=self.step,
            step_number=forms.STEPS.index(self.step) + 1,
            step_count=len(forms.STEPS),
            returning=self.returning(),
        )
        return context

    def returning(self) -> bool:
        """Whether the person came from "check your answers" (and goes back there)."""
        return (self.request.POST or self.request.GET).get("return") == "check"

    def save(self, form, practice):
        """``practice_save`` with the relations of this page; False (the form then shows
        why) when the service refuses the answers."""
        relations = {
            name: form.cleaned_data[name] for name in form.fields if name in forms.RELATIONS
        }
        try:
            services.practice_save(practice=practice, actor=self.request.user, **relations)
        except ValidationError as error:
            add_service_errors(form, error)
            return False
        return True


class PracticeCreateView(QuestionMixin, NetworkMixin, _Prepared, FormView):
    """Question 1 of a new practice: sending it creates the draft."""

    def prepare(self):
        access.require(
            self.request.user,
            "add",
            model=Practice,
            message=gettext("You may not propose good practices."),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["back_url"] = reverse(
            "dashboard:practices:list", kwargs={"network": self.network.slug}
        )
        return context

    def form_valid(self, form):
        practice = form.save(commit=False)
        practice.network = self.network
        if not self.save(form, practice):
            return self.form_invalid(form)
        messages.success(
            self.request, gettext("Your draft is saved. You can come back to it at any time.")
        )
        return redirect(
            "dashboard:practices:edit",
            network=self.network.slug,
            pk=practice.pk,
            step=forms.STEPS[1].slug,
        )


class PracticeStepView(QuestionMixin, PracticeMixin, FormView):
    """One question page of a draft (or a practice sent back): sending it saves the draft."""

    practice_action = "change"

    def prepare(self):
        self.step = forms.STEPS_BY_SLUG.get(self.kwargs["step"])
        if self.step is None:
            raise Http404
        super().prepare()

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.practice}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        previous = forms.STEPS.index(self.step) - 1
        if self.returning() or previous < 0:
            context["back_url"] = self.practice_url("check")
        else:
            context["back_url"] = self.practice_url("edit", step=forms.STEPS[previous].slug)
        return context

    def form_valid(self, form):
        if not self.save(form, form.instance):
            return self.form_invalid(form)
        messages.success(self.request, gettext("Your answers are saved."))
        following = forms.next_step(self.step)
        if self.returning() or following is None:
            return redirect(self.practice_url("check"))
        return redirect(self.practice_url("edit", step=following.slug))


# The practice's page, check your answers, moves along the review -------------------------------


def answer_context(practice, network):
    """The answers of every question page and what is still missing."""
    return {
        "sections": forms.answer_sections(practice, network=network),
        "missing": forms.missing_answers(practice),
    }


class PracticeDetailView(PracticeMixin, TemplateView):
    """A practice: where it stands, what to do next, its answers, files and review history.
    Read-only (no change links) once it is in review or published."""

    template_name = "workspace/practices/detail.html"

    def get_practice_queryset(self):
        return selectors.workspace_practice_detail(network=self.network)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        history = list(selectors.review_history(practice=self.practice, user=user))
        context.update(
            answer_context(self.practice, self.network),
            history=history,
            reviewer_request=_latest_request(self.practice, history),
            moves=[
                {"transition": transition, "url": self.practice_url("move", to=transition.target)}
                for transition in transitions_from(self.practice.status)
                if transition.target != ReviewStatus.SUBMITTED
                and transition.actor == Actor.COORDINATOR_OR_REVIEWER
                and may_make(user, self.practice, transition)
            ],
            may_delete=access.allows(user, "delete", Practice, self.practice),
        )
        return context


def _latest_request(practice, history):
    """The reviewer's request for changes the coordinator answers now, if sent back."""
    if practice.status != ReviewStatus.CHANGES_REQUESTED:
        return None
    return next((e for e in history if e.to_status == ReviewStatus.CHANGES_REQUESTED), None)


class PracticeCheckView(PracticeMixin, FormView):
    """Check your answers, then submit for review (again, after changes were requested)."""

    template_name = "workspace/practices/check.html"
    form_class = forms.SubmitForm
    practice_action = "change"

    def get_practice_queryset(self):
        return selectors.workspace_practice_detail(network=self.network)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "practice": self.practice}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        history = selectors.review_history(practice=self.practice, user=self.request.user)
        context.update(
            answer_context(self.practice, self.network),
            reviewer_request=_latest_request(self.practice, history),
        )
        return context

    def form_valid(self, form):
        try:
            services.practice_submit(
                practice=self.practice,
                actor=self.request.user,
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            gettext(
                "“%(title)s” is sent for review. IOM staff will read it and may ask for changes."
            )
            % {"title": self.practice.title},
        )
        return redirect(self.practice_url())


class PracticeMoveView(PracticeMixin, FormView):
    """A move along the review other than submitting: withdraw it, reopen it as a draft.

    The service decides: a move the workflow does not list from the current status changes
    nothing; a reviewer's decision (publish, request changes) is refused to a coordinator.
    """

    template_name = "workspace/confirm.html"
    form_class = forms.MoveForm

    def prepare(self):
        to = self.kwargs["to"]
        # Submitting goes through "check your answers".
        if to not in ReviewStatus.values or to == ReviewStatus.SUBMITTED:
            raise Http404
        super().prepare()
        self.transition = find_transition(self.practice.status, to)

    def get(self, request, *args, **kwargs):
        if self.transition is None:
            return self.not_now()
        if not may_make(request.user, self.practice, self.transition):
            # Reached by a coordinator only through a hand-made URL: a reviewer's decision.
            # (A post is refused by the service itself.)
            raise PermissionDenied
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if self.transition is None:
            return self.not_now()
        return super().post(request, *args, **kwargs)

    def not_now(self):
        messages.error(
            self.request,
            gettext("“%(title)s” is “%(status)s” now: nothing was changed.")
            % {"title": self.practice.title, "status": self.practice.get_status_display()},
        )
        return redirect(self.practice_url())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        title = self.practice.title
        target = self.transition.target
        if target == ReviewStatus.WITHDRAWN:
            context.update(
                title=gettext("Withdraw “%(title)s” from review?") % {"title": title},
                question=gettext(
                    "The reviewers stop reading it and it is not published. "
                    "You can reopen it as a draft later."
                ),
                danger=True,
            )
        elif target == ReviewStatus.DRAFT:
            context.update(
                title=gettext("Reopen “%(title)s” as a draft?") % {"title": title},
                question=gettext("You can then change it and submit it for review again."),
            )
        else:
            context["title"] = f"{self.transition.label}: {title}"
        context.update(button=self.transition.label, back_url=self.practice_url())
        return context

    def form_valid(self, form):
        # The service checks the move and the user's right to it again, under a lock.
        try:
            services.practice_transition(
                practice=self.practice,
                to_status=self.transition.target,
                actor=self.request.user,
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            gettext("“%(title)s” is now “%(status)s”.")
            % {"title": self.practice.title, "status": self.practice.get_status_display()},
        )
        return redirect(self.practice_url())


class PracticeDeleteView(PracticeMixin, TemplateView):
    """Delete a draft, on a confirmation page (only a draft: the access rule)."""

    template_name = "workspace/confirm.html"
    practice_action = "delete"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            title=gettext("Delete the draft “%(title)s”?") % {"title": self.practice.title},
            question=gettext("Its answers and files are deleted. This cannot be undone."),
            button=gettext("Delete the draft"),
            back_url=self.practice_url(),
            danger=True,
        )
        return context

    def post(self, request, *args, **kwargs):
        services.practice_delete(practice=self.practice, actor=request.user)
        messages.success(
            request, gettext("The draft “%(title)s” is deleted.") % {"title": self.practice.title}
        )
        return redirect("dashboard:practices:list", network=self.network.slug)


# Files -------------------------------------------------------------------------------------


class AttachmentsView(PracticeMixin, FormView):
    """A practice's files, and a form to add one while the practice may be changed."""

    template_name = "workspace/practices/attachments.html"
    form_class = forms.AttachmentForm

    def post(self, request, *args, **kwargs):
        access.require(request.user, "change", self.practice)
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["attachments"] = self.practice.attachments.order_by("uploaded_at", "pk")
        return context

    def form_valid(self, form):
        uploaded = form.cleaned_data["file"]
        # Without a title, the file's name stands in, cut to what a title may hold.
        stem = PurePath(safe_original_name(uploaded.name)).stem
        title = form.cleaned_data["title"] or stem[: Attachment._meta.get_field("title").max_length]
        try:
            attachment = services.attachment_add(
                practice=self.practice,
                uploaded_file=uploaded,
                title=title,
                kind=form.cleaned_data["kind"],
                actor=self.request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request, gettext("“%(title)s” is added.") % {"title": attachment.title}
        )
        return redirect(self.practice_url("attachments"))


class AttachmentRemoveView(PracticeMixin, TemplateView):
    """Remove one of a practice's files, on a confirmation page."""

    template_name = "workspace/confirm.html"
    practice_action = "change"

    def prepare(self):
        super().prepare()
        # Another practice's file, even of the same network, is a 404.
        self.attachment = access.get_or_404(
            self.request.user,
            Attachment.objects.filter(practice=self.practice),
            "delete",
            pk=self.kwargs["attachment"],
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            title=gettext("Remove “%(title)s”?") % {"title": self.attachment.title},
            question=gettext("The file is deleted from the practice. This cannot be undone."),
            button=gettext("Remove the file"),
            back_url=self.practice_url("attachments"),
            danger=True,
        )
        return context

    def post(self, request, *args, **kwargs):
        services.attachment_delete(attachment=self.attachment, actor=request.user)
        messages.success(
            request, gettext("“%(title)s” is removed.") % {"title": self.attachment.title}
        )
        return redirect(self.practice_url("attachments"))
