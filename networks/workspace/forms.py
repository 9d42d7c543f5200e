"""Forms of the members pages of the workspace: questions only; the services decide."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from common.spreadsheets.uploads import (
    MAX_UPLOAD_BYTES,
    encoding_field,
    sheet_help_text,
    sheet_upload,
)

from .. import access
from ..enums import MembershipRole, Sex
from ..models import Institution, Membership, Person


class DateInput(forms.DateInput):
    """The browser's own date picker; the value travels as 2024-05-31."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def _date_field(label, *, required=True, help_text=""):
    return forms.DateField(label=label, required=required, help_text=help_text, widget=DateInput())


def _role_field(**kwargs):
    kwargs.setdefault("label", _("Role"))
    return forms.ChoiceField(choices=MembershipRole.choices, **kwargs)


def _institution_field(**kwargs):
    kwargs.setdefault("required", False)
    return forms.ModelChoiceField(
        label=_("Institution represented"),
        queryset=Institution.objects.order_by("name"),
        empty_label=_("Their current institution"),
        **kwargs,
    )


# The list ----------------------------------------------------------------------------------


class MemberFilterForm(forms.Form):
    """The GET filters of the members list; a value that is not one of the choices is
    ignored (a shared link with an old value still shows the list)."""

    q = forms.CharField(label=_("Name or e-mail"), required=False, max_length=100)
    role = forms.ChoiceField(
        label=_("Role"),
        required=False,
        choices=[("", pgettext_lazy("roles", "All")), *MembershipRole.choices],
    )
    institution = forms.ModelChoiceField(
        label=_("Institution"),
        required=False,
        queryset=Institution.objects.none(),
        empty_label=pgettext_lazy("institutions", "All"),
    )
    former = forms.BooleanField(label=_("Include former members"), required=False)

    def __init__(self, *args, network, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = Institution.objects.filter(
            pk__in=Membership.objects.filter(network=network).values("institution")
        ).order_by("name")

    def filters(self) -> dict:
        """The valid filters (the others dropped)."""
        if self.is_bound:
            self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return {name: cleaned[name] for name in self.fields if cleaned.get(name)}


# Adding a person ---------------------------------------------------------------------------


class MemberAddForm(forms.Form):
    """A new member of the network: the person (found by e-mail when the registry has
    them) and their seat."""

    email = forms.EmailField(
        label=_("E-mail address"),
        required=False,
        help_text=_(
            "If someone in the portal already has this address, that person is added to "
            "the network; nobody is recorded twice."
        ),
    )
    first_name = forms.CharField(
        label=capfirst(Person._meta.get_field("first_name").verbose_name), max_length=150
    )
    last_name = forms.CharField(
        label=capfirst(Person._meta.get_field("last_name").verbose_name), max_length=150
    )
    sex = forms.ChoiceField(
        label=_("Sex"),
        choices=Sex.choices,
        widget=forms.RadioSelect,
        help_text=_("Only used for the figures by sex that donors ask for."),
    )
    phone = forms.CharField(label=_("Phone"), required=False, max_length=40)
    position = forms.CharField(label=_("Position"), required=False, max_length=200)
    institution = _institution_field()
    role = _role_field(initial=MembershipRole.MEMBER)
    start_date = _date_field(_("Member since"))

    #: The answers the "check your answers" page lists, in this order.
    summary_fields = (
        "email",
        "first_name",
        "last_name",
        "sex",
        "phone",
        "position",
        "institution",
        "role",
        "start_date",
    )

    def __init__(self, *args, network, **kwargs):
        super().__init__(*args, **kwargs)
        self.network = network
        self.fields["institution"].empty_label = _("None")
        self.fields["institution"].label = _("Institution")

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        seated = Membership.objects.open().filter(network=self.network, person__email__iexact=email)
        if email and seated.exists():
            # Only said of people of this network, whom the coordinator may see anyway.
            raise ValidationError(
                _("This person is already a member of this network."), code="seated"
            )
        return email

    def person_data(self) -> dict:
        data = self.cleaned_data
        return {
            name: data[name]
            for name in ("first_name", "last_name", "sex", "phone", "position", "institution")
        }


# A person's data and seats -----------------------------------------------------------------


class PersonContactForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = ["first_name", "last_name", "sex", "email", "phone", "position", "institution"]
        widgets = {"sex": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.label = capfirst(field.label)
        self.fields["sex"].choices = Sex.choices
        self.fields["institution"].queryset = Institution.objects.order_by("name")


class MembershipStartForm(forms.Form):
    role = _role_field(initial=MembershipRole.MEMBER)
    institution = _institution_field()
    start_date = _date_field(_("Start date"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("start_date", timezone.localdate())
        super().__init__(*args, **kwargs)


class RoleChangeForm(forms.Form):
    role = _role_field(label=_("New role"))
    on = _date_field(
        _("In the new role from"),
        help_text=_("The seat in the old role ends the day before, so the history keeps both."),
    )

    def __init__(self, *args, membership, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.membership = membership
        self.fields["role"].choices = [
            choice for choice in MembershipRole.choices if choice[0] != membership.role
        ]


class MembershipEndForm(forms.Form):
    """The end of a seat; for a coordinating seat, who takes it over."""

    end_date = _date_field(_("Last day"))
    successor = forms.ModelChoiceField(
        label=_("Who takes over the seat"),
        queryset=Person.objects.none(),
        required=False,
        empty_label=_("Nobody"),
        help_text=_(
            "Someone with a current seat in the network. To hand over to someone new, add "
            "them as a member first."
        ),
    )

    def __init__(self, *args, membership, successor_required, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("end_date", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.membership = membership
        if not access.is_coordinating_role(membership.role):
            del self.fields["successor"]
            return
        field = self.fields["successor"]
        field.queryset = (
            Person.objects.filter(
                pk__in=Membership.objects.open()
                .filter(network_id=membership.network_id)
                .filter(~Q(person_id=membership.person_id))
                .values("person_id")
            )
            .select_related("institution")
            .order_by("last_name", "first_name")
        )
        if successor_required:
            field.required = True
            field.empty_label = _("Choose who takes over")
            field.help_text = _(
                "This is the last coordinator seat of the network: name who takes it over. "
                "To hand over to someone new, add them as a member first."
            )

    def clean_end_date(self):
        end_date = self.cleaned_data["end_date"]
        if end_date < self.membership.start_date:
            raise ValidationError(
                _("The last day cannot be before the start date (%(start)s).")
                % {"start": self.membership.start_date.strftime("%d/%m/%Y")},
                code="before_start",
            )
        return end_date


# The members file ----------------------------------------------------------------------------


class MembersUploadForm(forms.Form):
    sheet = forms.FileField(label=_("Members file"))
    encoding = encoding_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sheet"].help_text = sheet_help_text(MAX_UPLOAD_BYTES)

    def clean_sheet(self):
        sheet = self.cleaned_data["sheet"]
        upload = sheet_upload(sheet, max_bytes=MAX_UPLOAD_BYTES)
        self.file_format, self.content = upload.file_format, upload.content
        return sheet
