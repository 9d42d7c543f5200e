"""The members pages of the workspace: who sits in the network, their data and seats, adding
people, the members file and the members download.

Thin views: the records come through ``networks.access`` (a person or seat of another network
is a 404, as if it did not exist), every write through ``networks.services`` with the user as
the actor, and the rules (one open seat per person, the last coordinator's successor...) are
the services' refusals, shown on the page that asked.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, Q, Subquery
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from common.pagination import LenientPaginationMixin
from common.spreadsheets.kept import UploadExpired, discard_upload, result_totals

from .. import access, services
from ..enums import MembershipRole
from ..invitations import invitation_send
from ..models import Invitation, Membership, Person
from .downloads import may_export_members, members_download, members_to_export
from .forms import (
    MemberAddForm,
    MemberFilterForm,
    MembershipEndForm,
    MembershipStartForm,
    MembersUploadForm,
    PersonContactForm,
    RoleChangeForm,
)
from .mixins import NetworkMixin, workspace_networks
from .uploads import may_import_members, sheet_import, sheet_preview


def _problems(error) -> list[str]:
    return list(error.messages) if isinstance(error, ValidationError) else [str(error)]


class AllowedMixin:
    """After ``NetworkMixin`` (and the sign-in check): the page's own right, ``allowed()``;
    without it the page is refused (403)."""

    def allowed(self) -> bool:
        return True

    def dispatch(self, request, *args, **kwargs):
        if not self.allowed():
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def may_add_members(user, network) -> bool:
    return access.allows(user, "add", Membership, Membership(network=network))


class MembersMixin(NetworkMixin, AllowedMixin):
    """A page about the people of ``self.network``: only people who sit or sat in it."""

    def people(self):
        return Person.objects.filter(
            pk__in=Membership.objects.filter(network=self.network).values("person_id")
        )

    def get_person(self, action="view"):
        """The person named in the URL (404 outside this network or the user's scope; 403
        when seen but not open to ``action``)."""
        if not hasattr(self, "_person"):
            self._person = access.get_or_404(
                self.request.user,
                self.people().select_related("institution"),
                "view",
                pk=self.kwargs["person"],
            )
        if action != "view" and not access.allows(self.request.user, action, Person, self._person):
            raise PermissionDenied
        return self._person

    def get_seat(self):
        """The open seat named in the URL, of this person in this network."""
        if not hasattr(self, "_seat"):
            seats = Membership.objects.open().filter(network=self.network, person=self.get_person())
            self._seat = access.get_or_404(
                self.request.user,
                seats.select_related("person", "network", "institution"),
                "change",
                pk=self.kwargs["membership"],
            )
        return self._seat

    def person_url(self, person=None):
        person = person or self.get_person()
        return reverse(
            "dashboard:members:detail", kwargs={"network": self.network.slug, "person": person.pk}
        )

    def after_change(self, person=None):
        """The person's page, or "my networks" when the user no longer works on this network
        (a coordinator who handed over their own seat)."""
        if not workspace_networks(self.request.user).filter(pk=self.network.pk).exists():
            return redirect("dashboard:home")
        return redirect(self.person_url(person))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if "person" in self.kwargs:
            context["person"] = self.get_person()
            context["person_url"] = self.person_url()
        context["list_url"] = reverse(
            "dashboard:members:list", kwargs={"network": self.network.slug}
        )
        return context


# The list ----------------------------------------------------------------------------------


class MemberListView(MembersMixin, LenientPaginationMixin, ListView):
    """Current members (or everyone who sat in the network), with GET filters."""

    template_name = "workspace/members/list.html"
    context_object_name = "seats"
    paginate_by = 50

    def get_queryset(self):
        self.filter_form = MemberFilterForm(self.request.GET or None, network=self.network)
        self.filters = self.filter_form.filters()
        seats = Membership.objects.for_user(self.request.user, "view").filter(network=self.network)
        if self.filters.get("former"):
            # Everyone who sat in the network, once: their open seat or their last one.
            latest = (
                Membership.objects.filter(network=self.network, person=OuterRef("person"))
                .order_by("-start_date", "-pk")
                .values("pk")[:1]
            )
            seats = seats.filter(pk=Subquery(latest))
        else:
            seats = seats.open()
        if self.filters.get("role"):
            seats = seats.filter(role=self.filters["role"])
        if self.filters.get("institution"):
            seats = seats.filter(institution=self.filters["institution"])
        for word in self.filters.get("q", "").split():
            seats = seats.filter(
                Q(person__first_name__icontains=word)
                | Q(person__last_name__icontains=word)
                | Q(person__email__icontains=word)
            )
        return seats.select_related("person", "institution").order_by(
            "person__last_name", "person__first_name", "pk"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = {
            name: value.pk if hasattr(value, "pk") else ("1" if value is True else value)
            for name, value in self.filters.items()
        }
        user = self.request.user
        context.update(
            filter_form=self.filter_form,
            is_filtered=bool(self.filters),
            filter_query=urlencode(query),
            may_add=may_add_members(user, self.network),
            may_import=may_import_members(user) and may_add_members(user, self.network),
            may_export=may_export_members(user),
        )
        return context


# One person ----------------------------------------------------------------------------------


class MemberDetailView(MembersMixin, TemplateView):
    """A person's data, their seats in this network (not elsewhere) and their invitation."""

    template_name = "workspace/members/detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, person = self.request.user, self.get_person()
        seats = list(
            Membership.objects.filter(network=self.network, person=person)
            .select_related("institution")
            .order_by("-start_date", "-pk")
        )
        open_seat = next((seat for seat in seats if seat.is_open), None)
        invitation = (
            Invitation.objects.for_user(user, "view")
            .filter(person=person)
            .order_by("-created_at")
            .first()
        )
        context.update(
            seats=seats,
            open_seat=open_seat,
            invitation=invitation,
            may_change=access.allows(user, "change", Person, person),
            may_change_seats=bool(seats) and access.allows(user, "change", Membership, seats[0]),
            may_start=open_seat is None and may_add_members(user, self.network),
            may_invite=bool(
                open_seat
                and person.email
                and person.user_id is None
                and access.allows(
                    user, "add", Invitation, Invitation(person=person, network=self.network)
                )
            ),
        )
        return context


class PersonEditView(MembersMixin, FormView):
    """The person's name and contact data."""

    template_name = "workspace/members/person_form.html"
    form_class = PersonContactForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.get_person("change")}

    def form_valid(self, form):
        person = form.save(commit=False)
        try:
            services.person_save(person=person, actor=self.request.user)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(
            self.request, gettext("The details of %(person)s were saved.") % {"person": person}
        )
        return redirect(self.person_url(person))


# Adding someone ------------------------------------------------------------------------------


def _add_session_key(network) -> str:
    return f"workspace:member-add:{network.pk}"


class MemberAddView(MembersMixin, FormView):
    """Who to add: the person and their seat (then "check your answers")."""

    template_name = "workspace/members/add.html"
    form_class = MemberAddForm

    def allowed(self):
        return may_add_members(self.request.user, self.network)

    def get_initial(self):
        stored = self.request.session.get(_add_session_key(self.network))
        return stored or {"start_date": timezone.localdate(), "role": MembershipRole.MEMBER}

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "network": self.network}

    def form_valid(self, form):
        self.request.session[_add_session_key(self.network)] = {
            name: self.request.POST.get(name, "") for name in form.fields
        }
        return redirect("dashboard:members:add-check", network=self.network.slug)


class MemberAddCheckView(MembersMixin, TemplateView):
    """Check your answers, then add the person (the one found by e-mail, or a new one)."""

    template_name = "workspace/members/add_check.html"

    def allowed(self):
        return may_add_members(self.request.user, self.network)

    def answers(self):
        data = self.request.session.get(_add_session_key(self.network))
        if not data:
            return None
        form = MemberAddForm(data, network=self.network)
        return form if form.is_valid() else None

    def get(self, request, *args, **kwargs):
        form = self.answers()
        if form is None:
            return redirect("dashboard:members:add", network=self.network.slug)
        return self.render_to_response(self.get_context_data(form=form))

    def post(self, request, *args, **kwargs):
        form = self.answers()
        if form is None:
            return redirect("dashboard:members:add", network=self.network.slug)
        data = form.cleaned_data
        try:
            seat = services.member_add(
                network=self.network,
                email=data["email"],
                person_data=form.person_data(),
                role=data["role"],
                start_date=data["start_date"],
                institution=data["institution"],
                actor=request.user,
            )
        except ValidationError as error:
            return self.render_to_response(
                self.get_context_data(form=form, problems=_problems(error))
            )
        del request.session[_add_session_key(self.network)]
        messages.success(
            request,
            gettext("%(person)s is now a member of %(network)s.")
            % {"person": seat.person, "network": self.network},
        )
        return redirect(self.person_url(seat.person))

    def get_context_data(self, form, **kwargs):
        context = super().get_context_data(**kwargs)
        answers = []
        for name in form.summary_fields:
            field, value = form.fields[name], form.cleaned_data[name]
            if hasattr(field, "choices") and not hasattr(value, "pk"):
                value = dict(field.choices).get(value, value)
            elif hasattr(value, "strftime"):
                value = date_format(value)
            answers.append((form[name].label, value or "—", name))
        context.update(
            answers=answers,
            # Whose the address is stays unsaid: only that the registry has it.
            known_person=services.person_with_email(form.cleaned_data["email"]) is not None,
            change_url=reverse("dashboard:members:add", kwargs={"network": self.network.slug}),
        )
        return context


# Seats ----------------------------------------------------------------------------------------


class MembershipStartView(MembersMixin, FormView):
    """A new seat for someone who sat in the network before."""

    template_name = "workspace/members/seat_form.html"
    form_class = MembershipStartForm

    def allowed(self):
        return may_add_members(self.request.user, self.network)

    def form_valid(self, form):
        person = self.get_person()
        try:
            services.membership_start(
                person=person,
                network=self.network,
                actor=self.request.user,
                **form.cleaned_data,
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, gettext("The new membership was recorded."))
        return self.after_change()

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=gettext("Start a new membership"),
            button=gettext("Start the membership"),
            **kwargs,
        )


class MembershipRoleView(MembersMixin, FormView):
    template_name = "workspace/members/seat_form.html"
    form_class = RoleChangeForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "membership": self.get_seat()}

    def form_valid(self, form):
        try:
            seat = services.membership_role_change(
                membership=self.get_seat(),
                role=form.cleaned_data["role"],
                on=form.cleaned_data["on"],
                actor=self.request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            gettext("%(person)s is now %(role)s.")
            % {"person": seat.person, "role": seat.get_role_display().lower()},
        )
        return self.after_change()

    def get_context_data(self, **kwargs):
        seat = self.get_seat()
        return super().get_context_data(
            seat=seat,
            last_coordinator=services.holds_last_coordinator_seat(seat),
            end_url=reverse(
                "dashboard:members:end",
                kwargs={
                    "network": self.network.slug,
                    "person": seat.person_id,
                    "membership": seat.pk,
                },
            ),
            title=gettext("Change the role of %(person)s") % {"person": seat.person},
            button=gettext("Change the role"),
            **kwargs,
        )


class MembershipEndView(MembersMixin, FormView):
    """A confirmation page: the last day and, for a coordinating seat, the successor
    (required for the network's last one)."""

    template_name = "workspace/confirm.html"
    form_class = MembershipEndForm

    def get_form_kwargs(self):
        seat = self.get_seat()
        return {
            **super().get_form_kwargs(),
            "membership": seat,
            "successor_required": services.holds_last_coordinator_seat(seat),
        }

    def form_valid(self, form):
        seat, user = self.get_seat(), self.request.user
        successor, end_date = form.cleaned_data.get("successor"), form.cleaned_data["end_date"]
        try:
            if successor is not None:
                services.membership_hand_over(
                    membership=seat, successor_person=successor, end_date=end_date, actor=user
                )
            else:
                services.membership_end(membership=seat, end_date=end_date, actor=user)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        if successor is not None:
            message = gettext("The membership of %(person)s ends; %(successor)s takes over.") % {
                "person": seat.person,
                "successor": successor,
            }
        else:
            message = gettext("The membership of %(person)s ends on %(date)s.") % {
                "person": seat.person,
                "date": date_format(end_date),
            }
        messages.success(self.request, message)
        return self.after_change(seat.person)

    def get_context_data(self, **kwargs):
        seat = self.get_seat()
        return super().get_context_data(
            title=gettext("End the membership of %(person)s") % {"person": seat.person},
            question=gettext(
                "%(person)s stops being %(role)s of %(network)s. The history keeps the membership."
            )
            % {
                "person": seat.person,
                "role": seat.get_role_display().lower(),
                "network": self.network,
            },
            button=gettext("End the membership"),
            back_url=self.person_url(),
            danger=True,
            **kwargs,
        )


# Invitation ----------------------------------------------------------------------------------


class MemberInviteView(MembersMixin, TemplateView):
    """A confirmation page: e-mail the person an invitation to open an account."""

    template_name = "workspace/confirm.html"

    def get(self, request, *args, **kwargs):
        person = self.get_person()
        if person.user_id or not person.email:
            message = (
                gettext("%(person)s already has an account.")
                if person.user_id
                else gettext("%(person)s has no e-mail address on record.")
            )
            messages.info(request, message % {"person": person})
            return redirect(self.person_url())
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        person = self.get_person()
        return super().get_context_data(
            title=gettext("Invite %(person)s to the portal") % {"person": person},
            question=gettext(
                "We will e-mail %(email)s a link to choose a password and open an account. "
                "With it, %(person)s can sign in to the portal."
            )
            % {"email": person.email, "person": person},
            button=gettext("Send the invitation"),
            back_url=self.person_url(),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        person = self.get_person()
        try:
            invitation = invitation_send(person=person, actor=request.user, network=self.network)
        except (ValidationError, PermissionDenied) as error:
            for problem in _problems(error):
                messages.error(request, problem)
            return redirect(self.person_url())
        if invitation.linked_existing_account:
            message = gettext(
                "%(person)s already had an account with this address: it is now linked to "
                "them, and they were told by e-mail."
            )
        else:
            message = gettext("The invitation was sent to %(email)s.")
        messages.success(request, message % {"person": person, "email": invitation.email})
        return redirect(self.person_url())


# The members file ------------------------------------------------------------------------------


def _upload_session_key(network) -> str:
    return f"workspace:members-upload:{network.pk}"


class UploadAllowedMixin(MembersMixin):
    def allowed(self):
        user = self.request.user
        return may_import_members(user) and may_add_members(user, self.network)


class MembersUploadView(UploadAllowedMixin, FormView):
    """Upload a members file: the preview lists what it would do, row by row."""

    template_name = "workspace/members/upload.html"
    form_class = MembersUploadForm

    def form_valid(self, form):
        try:
            preview = sheet_preview(
                network=self.network,
                content=form.content,
                file_format=form.file_format,
                encoding=form.cleaned_data["encoding"],
                actor=self.request.user,
            )
        except ValueError as error:
            form.add_error("sheet", str(error))
            return self.form_invalid(form)
        key = _upload_session_key(self.network)
        earlier = self.request.session.pop(key, None)
        if earlier:
            discard_upload(earlier["name"])
        if preview["kept_name"]:
            self.request.session[key] = {
                "name": preview["kept_name"],
                "format": form.file_format,
                # The confirmation reads the file as the preview did.
                "encoding": form.cleaned_data["encoding"],
                "original": form.cleaned_data["sheet"].name,
            }
        return self.response_class(
            request=self.request,
            template=["workspace/members/upload_check.html"],
            context=self.get_context_data(
                preview=preview,
                original_name=form.cleaned_data["sheet"].name,
                # Unbound: the file must be chosen again, in another encoding.
                form=self.form_class(initial={"encoding": form.cleaned_data["encoding"]}),
            ),
            using=self.template_engine,
        )


class MembersUploadConfirmView(UploadAllowedMixin, View):
    """Import the file the preview showed (kept in the uploader's session)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        upload_url = reverse("dashboard:members:upload", kwargs={"network": self.network.slug})
        kept = request.session.pop(_upload_session_key(self.network), None)
        if not kept:
            messages.error(request, gettext("Upload the file again: it is no longer kept."))
            return redirect(upload_url)
        try:
            result = sheet_import(
                network=self.network,
                kept_name=kept["name"],
                file_format=kept["format"],
                encoding=kept.get("encoding", ""),
                actor=request.user,
            )
        except (UploadExpired, ValueError):
            messages.error(request, gettext("Upload the file again: it is no longer kept."))
            return redirect(upload_url)
        if result.has_errors() or result.has_validation_errors():
            messages.error(
                request,
                gettext(
                    "Nothing was saved: some rows are no longer valid. Upload the file again "
                    "to see which."
                ),
            )
            return redirect(upload_url)
        messages.success(
            request,
            gettext(
                "The file was saved: %(new)s new memberships, %(updated)s changed, "
                "%(skipped)s unchanged."
            )
            % result_totals(result),
        )
        return redirect("dashboard:members:list", network=self.network.slug)


# Downloads ---------------------------------------------------------------------------------------


class MembersDownloadView(MembersMixin, TemplateView):
    """The downloads of the network: members here, attendance on the sessions' pages."""

    template_name = "workspace/members/download.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(may_export=may_export_members(self.request.user), **kwargs)


class MembersDownloadFileView(MembersMixin, View):
    """The members file, ``?everyone=1`` for every seat the network ever had."""

    file_format = "csv"

    def allowed(self):
        return may_export_members(self.request.user)

    def get(self, request, *args, **kwargs):
        seats = members_to_export(
            network=self.network, user=request.user, everyone=request.GET.get("everyone") == "1"
        )
        return members_download(self.network, seats, self.file_format)
