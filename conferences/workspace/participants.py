"""Who takes part in a session: registering the network's members, the attendance page (one
checkbox per participant, one request for all), and the attendance sheet to download."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.utils.functional import cached_property
from django.utils.translation import gettext, ngettext
from django.views import View
from django.views.generic import TemplateView

from networks import access

from .. import selectors, services
from ..attendance import may_export_attendance
from ..enums import SessionStatus
from ..models import Participation
from ..resources import attendance_download
from .forms import AttendanceForm, RegistrationForm
from .views import ConfirmView, SessionMixin


class ParticipantsView(SessionMixin, TemplateView):
    """Who is registered, and a list of the network's current members to register more:
    tick them, one request registers them all (each with their affiliation of the day)."""

    template_name = "workspace/sessions/participants.html"

    @property
    def session_action(self):
        return "change" if self.request.method == "POST" else "view"

    def get_form(self, data=None):
        candidates = selectors.members_to_register(self.request.user, self.network, self.session)
        return RegistrationForm(data, candidates=candidates)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", self.get_form())
        context.update(
            participations=selectors.session_participations(self.session),
            may_change=self.request.user.has_perm("conferences.change_session", self.session),
            may_export=may_export_attendance(self.request.user, self.session),
        )
        return context

    def post(self, request, *args, **kwargs):
        form = self.get_form(request.POST)
        if form.is_valid():
            try:
                registered = services.participations_register(
                    session=self.session,
                    people=form.cleaned_data["people"],
                    role=form.cleaned_data["role"],
                    actor=request.user,
                )
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                messages.success(
                    request,
                    ngettext(
                        "%(count)d person was registered.",
                        "%(count)d people were registered.",
                        len(registered),
                    )
                    % {"count": len(registered)},
                )
                return HttpResponseRedirect(self.session_url("participants"))
        return self.render_to_response(self.get_context_data(form=form))


class ParticipantRemoveView(ConfirmView):
    danger = True

    @cached_property
    def participation(self):
        return access.get_or_404(
            self.request.user,
            Participation.objects.filter(session=self.session).select_related("person"),
            "delete",
            pk=self.kwargs["participation"],
        )

    def back_url(self):
        return self.session_url("participants")

    def confirm_context(self):
        return {
            "title": gettext("Remove %(person)s from this session?")
            % {"person": self.participation.person},
            "question": gettext("Their registration and attendance for this session are removed."),
            "button": gettext("Remove them"),
        }

    def act(self):
        services.participation_delete(participation=self.participation, actor=self.request.user)
        return gettext("%(person)s was removed from the session.") % {
            "person": self.participation.person
        }


class AttendanceView(SessionMixin, TemplateView):
    """One checkbox per registered participant; one POST records everyone, in a constant
    number of queries (``services.session_record_attendance``)."""

    template_name = "workspace/sessions/attendance.html"

    @property
    def session_action(self):
        return "change" if self.request.method == "POST" else "view"

    @cached_property
    def participations(self):
        return list(selectors.session_participations(self.session))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = kwargs.get("form") or AttendanceForm(participations=self.participations)
        checked = form.checked()
        context.update(
            form=form,
            rows=[
                {"participation": p, "checked": str(p.pk) in checked} for p in self.participations
            ],
            is_cancelled=self.session.status == SessionStatus.CANCELLED,
        )
        return context

    def post(self, request, *args, **kwargs):
        form = AttendanceForm(request.POST, participations=self.participations)
        if form.is_valid():
            try:
                changed = services.session_record_attendance(
                    session=self.session,
                    attended=form.cleaned_data["attended"],
                    actor=request.user,
                )
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                present = len(form.cleaned_data["attended"])
                messages.success(
                    request,
                    ngettext(
                        "Attendance saved: %(present)d of %(total)d person came.",
                        "Attendance saved: %(present)d of %(total)d people came.",
                        len(self.participations),
                    )
                    % {"present": present, "total": len(self.participations)}
                    if changed
                    else gettext("Attendance saved: nothing had changed."),
                )
                return HttpResponseRedirect(self.session_url())
        return self.render_to_response(self.get_context_data(form=form), status=400)


class AttendanceDownloadView(SessionMixin, View):
    """The attendance sheet: CSV (UTF-8 with a byte-order mark, so Excel shows the accents)
    or XLSX; text a spreadsheet would run as a formula is neutralised. Personal data: only
    for users allowed to export the participations of this session."""

    def get(self, request, *args, file_format, **kwargs):
        session = self.session
        if not may_export_attendance(request.user, session):
            raise PermissionDenied
        return attendance_download(session, file_format)
