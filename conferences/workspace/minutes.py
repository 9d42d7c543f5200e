"""The minutes of a session: a draft, circulated to the participants (by e-mail), approved,
then locked; the summary published; reopened only with a reason kept in the audit trail."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.utils.functional import cached_property
from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from .. import selectors, services
from ..enums import MinutesStatus
from ..models import Minutes
from ..notifications import minutes_recipients
from .forms import MinutesForm, ReopenForm
from .views import ConfirmView, SessionMixin, add_service_errors

#: Statuses from which a move back to draft is a reopening.
REOPENED_FROM = (MinutesStatus.APPROVED, MinutesStatus.PUBLISHED)

EVENT_LABELS = {
    "created": _("Minutes started"),
    MinutesStatus.CIRCULATED: _("Circulated to the participants"),
    MinutesStatus.APPROVED: pgettext_lazy("minutes", "Approved"),
    MinutesStatus.PUBLISHED: _("Summary published"),
    "reopened": _("Reopened"),
}


def minutes_events(minutes: Minutes) -> list[dict]:
    """The record of the minutes, newest first: written, circulated, approved, published,
    reopened (with its reason); from the audit trail, in one query."""
    if minutes is None:
        return []
    versions = minutes.history.select_related("history_user").order_by("history_date", "pk")
    events, previous = [], None
    for version in versions:
        status = version.status
        if previous is None:
            kind = "created"
        elif status == previous:
            previous = status
            continue
        elif status == MinutesStatus.DRAFT and previous in REOPENED_FROM:
            kind = "reopened"
        else:
            kind = status
        events.append(
            {
                "kind": kind,
                "label": EVENT_LABELS.get(kind, kind),
                "at": version.history_date,
                "by": version.history_user,
                "reason": version.history_change_reason if kind == "reopened" else "",
            }
        )
        previous = status
    events.reverse()
    return events


class MinutesMixin(SessionMixin):
    @cached_property
    def minutes(self):
        return selectors.session_minutes(self.session)

    def minutes_url(self):
        return self.session_url("minutes")


class MinutesView(MinutesMixin, TemplateView):
    """Write and save the minutes; the moves of the workflow are links to their own
    confirmation pages."""

    template_name = "workspace/sessions/minutes.html"

    @property
    def session_action(self):
        return "change" if self.request.method == "POST" else "view"

    def get_form(self, data=None):
        instance = self.minutes or Minutes(session=self.session)
        return MinutesForm(data, instance=instance)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = kwargs.get("form") or self.get_form()
        minutes = self.minutes
        status = minutes.status if minutes else MinutesStatus.DRAFT
        context.update(
            form=form,
            minutes=minutes,
            status=status,
            is_locked=len(form.frozen) == len(form.fields),
            events=minutes_events(minutes),
            may_change=self.request.user.has_perm("conferences.change_session", self.session),
        )
        return context

    def post(self, request, *args, **kwargs):
        form = self.get_form(request.POST)
        if form.is_valid():
            try:
                services.minutes_save(minutes=form.save(commit=False), actor=request.user)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, gettext("The minutes were saved."))
                return HttpResponseRedirect(self.minutes_url())
        return self.render_to_response(self.get_context_data(form=form))


class MinutesMoveView(MinutesMixin, ConfirmView):
    """A move of the minutes' workflow, after a confirmation page."""

    @cached_property
    def minutes(self):
        minutes = selectors.session_minutes(self.session)
        if minutes is None:
            raise Http404
        return minutes

    def back_url(self):
        return self.minutes_url()


class MinutesCirculateView(MinutesMoveView):
    def confirm_context(self):
        count = len(minutes_recipients(self.minutes))
        return {
            "title": gettext("Circulate the minutes to the participants?"),
            "question": ngettext(
                "The minutes are e-mailed to the %(count)d participant with an e-mail address, "
                "for their comments. You can still change them until they are approved.",
                "The minutes are e-mailed to the %(count)d participants with an e-mail address, "
                "for their comments. You can still change them until they are approved.",
                count,
            )
            % {"count": count},
            "button": gettext("Circulate the minutes"),
        }

    def act(self):
        services.minutes_circulate(minutes=self.minutes, actor=self.request.user)
        return gettext("The minutes were circulated to the participants.")


class MinutesApproveView(MinutesMoveView):
    def confirm_context(self):
        return {
            "title": gettext("Approve the minutes?"),
            "question": gettext(
                "Once approved, the text is locked: changing it again needs reopening the "
                "minutes, with a reason that is kept."
            ),
            "button": gettext("Approve the minutes"),
        }

    def act(self):
        services.minutes_approve(minutes=self.minutes, actor=self.request.user)
        return gettext("The minutes were approved; the text is now locked.")


class MinutesPublishView(MinutesMoveView):
    def confirm_context(self):
        return {
            "title": gettext("Publish the summary?"),
            "question": gettext(
                "Anyone can then read the summary on the session's public page. The full "
                "minutes stay private."
            ),
            "button": gettext("Publish the summary"),
        }

    def act(self):
        services.minutes_publish_summary(minutes=self.minutes, actor=self.request.user)
        return gettext("The summary was published.")


class MinutesReopenView(MinutesMoveView):
    danger = True

    def get_form(self, data=None):
        return ReopenForm(data)

    def confirm_context(self):
        question = gettext(
            "The minutes go back to draft so that the text can be changed; they must be "
            "circulated and approved again."
        )
        if self.minutes.status == MinutesStatus.PUBLISHED:
            question += " " + gettext("The public summary is taken off the public site until then.")
        return {
            "title": gettext("Reopen the approved minutes?"),
            "question": question,
            "button": gettext("Reopen the minutes"),
        }

    def act(self, form):
        services.minutes_reopen(
            minutes=self.minutes, reason=form.cleaned_data["reason"], actor=self.request.user
        )
        return gettext("The minutes were reopened: you can change them again.")
