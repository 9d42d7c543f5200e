"""Attendance sheets: a session's participants as the donors receive them, and back.

The sheet is private (names, sex and e-mails): staff with ``conferences.export_participation``
export it, staff with ``conferences.import_participation`` import a filled one. It keeps the
rules of every spreadsheet (``common/spreadsheets/resources.py``), whose base resource it uses:

- Columns, in this order: ``name``, ``sex``, ``institution``, ``sector``, ``country`` (ISO
  code), ``municipality``, ``role``, ``attended`` (yes/no), ``email``, headed in the reader's
  language, with choices and yes/no written in it too (and read back in any language). The
  institution, sector, country and municipality are the snapshot taken when the person was
  registered.
- On import only ``email`` (which finds the person, any case), ``role`` and ``attended``
  are read; the other columns are there for the reader and ignored. A person not yet
  registered for the session is registered, with the snapshot of their affiliation.
- A file with any bad row writes nothing; every bad row is reported with its number (as
  the spreadsheet program numbers it: the headers are row 1) and the reason: an unknown
  e-mail, a role or an attendance value that is not one of those allowed, the same person
  twice, attendance at a cancelled session.
- Exported text that a spreadsheet would run as a formula gets a leading quote.

Exports read the participations with one query, in chunks (``iterator()``), and write rows
as they come, so memory stays bounded whatever the size of the session.
"""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.spreadsheets.files import download
from common.spreadsheets.reading import read_sheet
from common.spreadsheets.resources import RegistryResource, column
from common.spreadsheets.widgets import ChoicesWidget, YesNoWidget
from networks.enums import Sector, Sex
from networks.widgets import PersonWidget

from .enums import ParticipationRole
from .models import Participation, Session
from .services import participation_save, participation_take_snapshot

#: Columns the import needs; the others are for the reader.
REQUIRED_COLUMNS = ("email", "attended")
#: Where errors of model fields that are not columns are reported.
COLUMN_OF_MODEL_FIELD = {"person": "email", "session": NON_FIELD_ERRORS}


class AttendanceResource(RegistryResource):
    """The attendance sheet of one session (see the module docstring)."""

    name = column("name", attribute="person__full_name", readonly=True, label=gettext_lazy("name"))
    sex = column("sex", ChoicesWidget(Sex), attribute="person__sex", readonly=True)
    institution = column(
        "institution",
        attribute="institution__name",
        readonly=True,
        label=gettext_lazy("institution"),
    )
    sector = column("sector", ChoicesWidget(Sector, allow_blank=True), readonly=True)
    country = column(
        "country", attribute="country__code", readonly=True, label=gettext_lazy("country")
    )
    municipality = column(
        "municipality",
        attribute="municipality__name",
        readonly=True,
        label=gettext_lazy("municipality"),
    )
    role = column(
        "role",
        ChoicesWidget(ParticipationRole, allow_blank=True),
        default=ParticipationRole.PARTICIPANT,
    )
    attended = column("attended", YesNoWidget())
    email = column("email", PersonWidget(), attribute="person", label=gettext_lazy("e-mail"))

    class Meta(RegistryResource.Meta):
        model = Participation
        name = "attendance"
        fields = (
            "name",
            "sex",
            "institution",
            "sector",
            "country",
            "municipality",
            "role",
            "attended",
            "email",
        )
        import_id_fields = ("email",)

    def __init__(self, *, session: Session, **kwargs):
        super().__init__(**kwargs)
        self.session = session
        self._row_of_person = {}

    # Export ---------------------------------------------------------------------------------

    def with_related(self, queryset):
        return queryset.filter(session=self.session).select_related(
            "person", "institution", "country", "municipality"
        )

    def rows(self):
        """The header, then one row per participation, read in chunks."""
        yield self.get_export_headers()
        queryset = self.filter_export(Participation.objects.all())
        for participation in self.iter_queryset(queryset):
            yield self.export_resource(participation)

    # Import ---------------------------------------------------------------------------------

    def before_import(self, dataset, **kwargs):
        self._row_of_person = {}
        # The headers are column names already (RegistryResource.import_data).
        self.require_columns(dataset.headers, [self.fields[name] for name in REQUIRED_COLUMNS])

    def get_instance(self, instance_loader, row):
        try:
            person = self.fields["email"].clean(row)
        except (KeyError, ValueError):
            return None
        if person is None:
            return None
        return (
            Participation.objects.select_related("session", "person")
            .filter(session=self.session, person=person)
            .first()
        )

    def init_instance(self, row=None):
        return Participation(session=self.session)

    def save_record(self, instance, is_create):
        participation_save(participation=instance, actor=self.actor)

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if "person" not in errors:
            errors.update(self._person_problems(instance, kwargs.get("row_number")))
        if "attended" not in errors:
            try:
                instance.clean()  # the model's rule: nobody attends a cancelled session
            except ValidationError as error:
                errors = error.update_error_dict(errors)
        if not errors and instance.pk is None:
            participation_take_snapshot(participation=instance)
        if errors:
            raise ValidationError(errors)

    def _person_problems(self, instance, row_number):
        if instance.person_id is None:
            return {
                "person": [_("Every row needs the e-mail address of a person of the registry.")]
            }
        earlier = self._row_of_person.setdefault(instance.person_id, row_number)
        if earlier != row_number:
            return {
                "person": [
                    _("%(person)s is already in row %(row)s: keep one row per person.")
                    % {"person": instance.person, "row": earlier}
                ]
            }
        return {}

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        # Report errors under the sheet's column names ("email"), not the model's ("person").
        try:
            super().validate_instance(instance, import_validation_errors, validate_unique)
        except ValidationError as error:
            renamed = {}
            for key, messages in error.update_error_dict({}).items():
                column_messages = renamed.setdefault(COLUMN_OF_MODEL_FIELD.get(key, key), [])
                # import_instance() and full_clean() may both report the model's own rule.
                column_messages.extend(m for m in messages if m not in column_messages)
            raise ValidationError(renamed) from None


# Files ----------------------------------------------------------------------------------------


def attendance_filename(session: Session, file_format: str) -> str:
    return f"attendance-{session.slug}.{file_format}"


def attendance_download(session: Session, file_format: str):
    """The attendance sheet of ``session`` as a CSV or XLSX download (404 for another
    format): the admin's and the workspace's, the same file."""
    return download(
        AttendanceResource(session=session).rows(),
        file_format=file_format,
        filename=attendance_filename(session, file_format),
        sheet_title=_("Attendance"),
    )


def read_attendance_sheet(content: bytes, file_format: str, encoding: str = ""):
    """A ``tablib.Dataset`` from an uploaded file; ``ValueError`` if it cannot be read
    (see ``common.spreadsheets.reading``: any delimiter and encoding, blank rows skipped;
    ``encoding`` reads a CSV in that one instead)."""
    return read_sheet(content, file_format, encoding)


def attendance_import(*, session: Session, dataset, dry_run: bool, actor):
    """Import a filled sheet into ``session``: all rows or none (see the module docstring).

    Each row is written by ``participation_save`` in the name of ``actor``."""
    return AttendanceResource(session=session, actor=actor).import_data(dataset, dry_run=dry_run)
