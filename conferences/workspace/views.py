"""The sessions pages of the workspace: a network's sessions, one session's page, the session
questions (new, copy, change) with a check-your-answers page, its agenda and challenges.

Thin views: every read goes through ``conferences.selectors`` (scoped by ``for_user`` and
``access.get_or_404``: a session that is not of the page's network is a 404), every write
through ``conferences.services`` with the user as the actor.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.views.generic import ListView, TemplateView

from common.pagination import LenientPaginationMixin
from networks import access
from networks.workspace.mixins import NetworkMixin, workspace_networks

from .. import selectors, services
from ..attendance import may_export_attendance
from ..enums import SessionStatus
from ..models import AgendaItem, Challenge, Session
from .forms import AgendaItemForm, ChallengeForm, SessionFilterForm, SessionForm

# Where the errors of a session's model fields show on the session questions.
SESSION_ERROR_FIELDS = {"start": "start_time", "end": "end_time", "networks": "other_networks"}


def add_service_errors(form, error: ValidationError, field_map=None) -> None:
    """Show a service's refusal on the form: each message on its field when the form has
    it, at the top otherwise."""
    field_map = field_map or {}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for name, errors in error.error_dict.items():
        name = field_map.get(name, name)
        form.add_error(name if name in form.fields else None, errors)


class SessionMixin(NetworkMixin):
    """A page about one session of the page's network (``pk`` in the URL).

    ``session_action`` is what the page needs: view, or change for the pages that write.
    A session of another network, or outside the user's scope, is a 404.
    """

    session_action = "view"

    @cached_property
    def session(self) -> Session:
        return selectors.workspace_session(
            self.request.user, self.network, self.kwargs["pk"], self.session_action
        )

    def session_url(self, name="detail", anchor=""):
        url = reverse(
            f"dashboard:sessions:{name}",
            kwargs={"network": self.network.slug, "pk": self.session.pk},
        )
        return f"{url}#{anchor}" if anchor else url

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["session"] = self.session
        context["session_url"] = self.session_url()
        return context


# A network's sessions ---------------------------------------------------------------------------


class SessionListView(NetworkMixin, LenientPaginationMixin, ListView):
    """Upcoming sessions (soonest first), then past ones; filtered by GET, paginated."""

    template_name = "workspace/sessions/list.html"
    context_object_name = "sessions"
    paginate_by = 25

    def get_queryset(self):
        self.filter_form = SessionFilterForm(self.request.GET or None)
        self.filters = self.filter_form.filters() if self.request.GET else {}
        return selectors.workspace_sessions(
            self.request.user,
            self.network,
            when=self.filters.get("when", ""),
            status=self.filters.get("status", ""),
            query=self.filters.get("q", ""),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            filter_form=self.filter_form,
            is_filtered=bool(self.filters),
            filter_query=urlencode(self.filters),
            may_add=access.allows(self.request.user, "add", Session),
        )
        return context


class SessionDetailView(SessionMixin, TemplateView):
    """Everything about one session: when and where, the meeting link, the agenda, who is
    registered and came, the minutes, its agreements, those carried over from earlier
    sessions of the network, and the challenges raised."""

    template_name = "workspace/sessions/detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        session = selectors.session_for_page(self.session)
        context.update(
            session=session,
            minutes=selectors.session_minutes(session),
            carried_over=selectors.carried_over_agreements(user, session, self.network),
            may_change=user.has_perm("conferences.change_session", session),
            may_export=may_export_attendance(user, session),
            is_cancelled=session.status == SessionStatus.CANCELLED,
        )
        return context


# The session questions, with check-your-answers -----------------------------------------------


class SessionQuestionsView(NetworkMixin, TemplateView):
    """The session questions, then a page to check the answers before saving.

    Without JavaScript or server-side state: the check page carries the answers as hidden
    fields; "Change" posts them back to the questions, "Save" posts them with ``confirm``.
    """

    template_name = "workspace/sessions/session_form.html"
    check_template_name = "workspace/sessions/session_check.html"
    with_status = False
    title = ""
    button = ""

    def get_initial(self):
        return {}

    def editing(self):
        """The saved session being changed (``None`` for a new one)."""
        return None

    def get_form(self, data=None):
        return SessionForm(
            data,
            initial=self.get_initial(),
            network=self.network,
            user=self.request.user,
            session=self.editing(),
            with_status=self.with_status,
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(title=self.title, button=self.button, back_url=self.back_url())
        return context

    def back_url(self):
        return reverse("dashboard:sessions:list", kwargs={"network": self.network.slug})

    def check_allowed(self):
        """Refuse the page (PermissionDenied) to a user who may not save what it saves."""

    def get(self, request, *args, **kwargs):
        self.check_allowed()
        return self.render_to_response(self.get_context_data(form=self.get_form()))

    def post(self, request, *args, **kwargs):
        self.check_allowed()
        form = self.get_form(request.POST)
        if "change" in request.POST or not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        if "confirm" not in request.POST:
            context = self.get_context_data(form=form, rows=form.summary())
            return TemplateResponse(request, self.check_template_name, context)
        try:
            session = self.save(form)
        except ValidationError as error:
            add_service_errors(form, error, SESSION_ERROR_FIELDS)
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(request, self.success_message(session))
        return redirect("dashboard:sessions:detail", network=self.network.slug, pk=session.pk)

    def save(self, form) -> Session:
        raise NotImplementedError

    def success_message(self, session) -> str:
        raise NotImplementedError


class SessionCreateView(SessionQuestionsView):
    def check_allowed(self):
        if not access.allows(self.request.user, "add", Session):
            raise PermissionDenied

    @property
    def title(self):
        return gettext("New session")

    @property
    def button(self):
        return gettext("Save the session")

    def get_initial(self):
        return {"is_public": False}

    def save(self, form):
        return services.session_save(
            session=form.apply_to(Session()), networks=form.networks(), actor=self.request.user
        )

    def success_message(self, session):
        return gettext("The session “%(title)s” was created.") % {"title": session.title}


class SessionDuplicateView(SessionMixin, SessionCreateView):
    """A new session like this one: its networks and agenda, on a date still to choose."""

    def get_initial(self):
        return SessionForm.initial_from(self.session, with_date=False)

    @property
    def title(self):
        return gettext("Copy of “%(title)s”") % {"title": self.session.title}

    def back_url(self):
        return self.session_url()

    def save(self, form):
        return services.session_duplicate(
            source=self.session,
            session=form.apply_to(Session()),
            networks=form.networks(),
            actor=self.request.user,
        )

    def success_message(self, session):
        return gettext("The session “%(title)s” was created with the same agenda.") % {
            "title": session.title
        }


class SessionUpdateView(SessionMixin, SessionQuestionsView):
    session_action = "change"

    @property
    def with_status(self):
        return self.session.status != SessionStatus.CANCELLED

    @property
    def title(self):
        return gettext("Change the session")

    @property
    def button(self):
        return gettext("Save the changes")

    def editing(self):
        return self.session

    def get_initial(self):
        return SessionForm.initial_from(self.session)

    def back_url(self):
        return self.session_url()

    def save(self, form):
        # The session's networks the user does not work on stay: they may not detach them.
        allowed = set(workspace_networks(self.request.user).values_list("pk", flat=True))
        kept = [network for network in self.session.networks.all() if network.pk not in allowed]
        return services.session_save(
            session=form.apply_to(self.session),
            networks=form.networks(kept=kept),
            actor=self.request.user,
        )

    def success_message(self, session):
        return gettext("The changes to the session were saved.")


class ConfirmView(SessionMixin, TemplateView):
    """A confirmation page (``workspace/confirm.html``) whose POST calls ``act()``."""

    template_name = "workspace/confirm.html"
    session_action = "change"
    danger = False

    def confirm_context(self) -> dict:
        raise NotImplementedError

    def act(self):
        raise NotImplementedError

    def get_form(self, data=None):
        return None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(danger=self.danger, back_url=self.back_url(), **self.confirm_context())
        context.setdefault("form", self.get_form())
        return context

    def back_url(self):
        return self.session_url()

    def post(self, request, *args, **kwargs):
        form = self.get_form(request.POST)
        if form is not None and not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            message = self.act(form) if form is not None else self.act()
        except ValidationError as error:
            if form is None:
                for text in error.messages:
                    messages.error(request, text)
                return HttpResponseRedirect(self.back_url())
            add_service_errors(form, error)
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(request, message)
        return HttpResponseRedirect(self.done_url())

    def done_url(self):
        return self.back_url()


class SessionCancelView(ConfirmView):
    danger = True

    def confirm_context(self):
        return {
            "title": gettext("Cancel “%(title)s”?") % {"title": self.session.title},
            "question": gettext(
                "Calendars will show it cancelled, and attendance can no longer be recorded. "
                "This cannot be undone here."
            ),
            "button": gettext("Cancel the session"),
        }

    def act(self):
        services.session_cancel(session=self.session, actor=self.request.user)
        return gettext("The session was cancelled.")


# Parts of a session: agenda items and challenges ------------------------------------------------


class SessionPartFormView(SessionMixin, TemplateView):
    """Add (no ``part`` in the URL) or change one part of the session."""

    template_name = "workspace/sessions/part_form.html"
    session_action = "change"
    model = None
    form_class = None
    anchor = ""

    def save(self, record):
        raise NotImplementedError

    @cached_property
    def record(self):
        if "part" not in self.kwargs:
            return self.model(session=self.session)
        return access.get_or_404(
            self.request.user,
            self.model._default_manager.filter(session=self.session),
            "change",
            pk=self.kwargs["part"],
        )

    def get_form_kwargs(self):
        return {}

    def get_form(self, data=None):
        return self.form_class(data, instance=self.record, **self.get_form_kwargs())

    def titles(self):
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        title, button = self.titles()
        context.update(title=title, button=button, back_url=self.session_url(anchor=self.anchor))
        return context

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=self.get_form()))

    def post(self, request, *args, **kwargs):
        form = self.get_form(request.POST)
        if form.is_valid():
            try:
                self.save(form.save(commit=False))
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, self.success_message())
                return HttpResponseRedirect(self.session_url(anchor=self.anchor))
        return self.render_to_response(self.get_context_data(form=form))


class AgendaItemFormView(SessionPartFormView):
    model = AgendaItem
    form_class = AgendaItemForm
    anchor = "agenda"

    def get_form_kwargs(self):
        return {"network": self.network, "user": self.request.user}

    def get_form(self, data=None):
        form = super().get_form(data)
        if self.record._state.adding and not form.is_bound:
            last = self.session.agenda_items.order_by("-position").first()
            form.initial["position"] = (last.position + 1) if last else 1
        return form

    def titles(self):
        if self.record._state.adding:
            return gettext("Add an agenda item"), gettext("Add to the agenda")
        return gettext("Change an agenda item"), gettext("Save the changes")

    def save(self, record):
        services.agenda_item_save(agenda_item=record, actor=self.request.user)

    def success_message(self):
        return gettext("The agenda was saved.")


class ChallengeFormView(SessionPartFormView):
    model = Challenge
    form_class = ChallengeForm
    anchor = "challenges"

    def titles(self):
        if self.record._state.adding:
            return gettext("Record a challenge raised"), gettext("Save the challenge")
        return gettext("Change a challenge"), gettext("Save the changes")

    def save(self, record):
        services.challenge_save(challenge=record, actor=self.request.user)

    def success_message(self):
        return gettext("The challenge was saved.")


class PartDeleteView(ConfirmView):
    danger = True
    model = None
    anchor = ""

    @cached_property
    def record(self):
        return access.get_or_404(
            self.request.user,
            self.model._default_manager.filter(session=self.session),
            "delete",
            pk=self.kwargs["part"],
        )

    def back_url(self):
        return self.session_url(anchor=self.anchor)


class AgendaItemDeleteView(PartDeleteView):
    model = AgendaItem
    anchor = "agenda"

    def confirm_context(self):
        return {
            "title": gettext("Remove “%(title)s” from the agenda?") % {"title": self.record},
            "button": gettext("Remove it"),
        }

    def act(self):
        services.agenda_item_delete(agenda_item=self.record, actor=self.request.user)
        return gettext("The agenda item was removed.")


class ChallengeDeleteView(PartDeleteView):
    model = Challenge
    anchor = "challenges"

    def confirm_context(self):
        return {
            "title": gettext("Delete this challenge?"),
            "question": str(self.record),
            "button": gettext("Delete it"),
        }

    def act(self):
        services.challenge_delete(challenge=self.record, actor=self.request.user)
        return gettext("The challenge was deleted.")
