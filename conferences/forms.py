"""Forms of the staff admin: sessions, agreements and attendance sheets."""

import os

from django import forms
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from common.spreadsheets.kept import KEPT_NAME
from common.spreadsheets.uploads import (
    MAX_UPLOAD_BYTES,
    SHEET_FORMATS,
    encoding_field,
    sheet_upload,
)

from .models import Agreement, Session


class SessionAdminForm(forms.ModelForm):
    meeting_link = forms.URLField(
        label=Session._meta.get_field("meeting_link").verbose_name,
        help_text=Session._meta.get_field("meeting_link").help_text,
        required=False,
        assume_scheme="https",
    )

    class Meta:
        model = Session
        fields = [
            "title",
            "slug",
            "conference",
            "networks",
            "description",
            "is_public",
            "start",
            "end",
            "modality",
            "venue",
            "municipality",
            "meeting_link",
            "capacity",
            "status",
            "practices",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:
            # session_save() makes it from the title and the local date.
            self.fields["slug"].required = False
            self.fields["slug"].help_text = _(
                "Part of the public address. Leave empty to make it from the title and date."
            )


class AgreementAdminForm(forms.ModelForm):
    follow_up_note = forms.CharField(
        label=_("new follow-up note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Added to the notes with today's date; earlier notes are kept."),
    )

    class Meta:
        model = Agreement
        fields = [
            "session",
            "text",
            "responsible_institution",
            "responsible_person",
            "due_date",
            "status",
        ]


class AttendanceImportForm(forms.Form):
    sheet = forms.FileField(label=_("attendance sheet"))
    encoding = encoding_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sheet"].help_text = _(
            "The exported sheet with the attendance filled in: a CSV, XLSX or ODS file, "
            "at most %(size)s."
        ) % {"size": filesizeformat(MAX_UPLOAD_BYTES)}

    def clean_sheet(self):
        sheet = self.cleaned_data["sheet"]
        upload = sheet_upload(sheet)
        self.file_format, self.content = upload.file_format, upload.content
        return sheet


class AttendanceConfirmForm(forms.Form):
    """The preview's hidden fields: which stored upload to import, in which format and,
    for a CSV, in which encoding the preview read it."""

    stored_name = forms.CharField(widget=forms.HiddenInput)
    file_format = forms.ChoiceField(
        choices=[(file_format, file_format.upper()) for file_format in SHEET_FORMATS],
        widget=forms.HiddenInput,
    )
    encoding = encoding_field(widget=forms.HiddenInput)
    original_name = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean_stored_name(self):
        name = os.path.basename(self.cleaned_data["stored_name"])
        if not KEPT_NAME.match(name):
            raise ValidationError(_("Upload the file again."), code="invalid")
        return name
