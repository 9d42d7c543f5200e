"""Forms of the staff admin for practices: the practice, its attachments, review decisions."""

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from networks.models import Municipality

from .models import Attachment, Practice
from .uploads import ALLOWED_LABELS, validate_attachment_file


class PracticeAdminForm(forms.ModelForm):
    class Meta:
        model = Practice
        fields = [
            "title",
            "slug",
            "summary",
            "practice_type",
            "language",
            "body",
            "results",
            "lessons_learned",
            "challenges",
            "replication_requirements",
            "network",
            "lead_institution",
            "partner_institutions",
            "municipalities",
            "year_started",
            "implementation_status",
            "themes",
            "gcm_objectives",
            "gcm_principles",
            "submitted_by",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:
            # practice_save makes one from the title when left empty.
            self.fields["slug"].required = False
            self.fields["slug"].help_text = _("Leave empty to make one from the title.")
        if "municipalities" in self.fields:
            self.fields["municipalities"].queryset = Municipality.objects.with_geography()


class StoredFileLink(forms.Widget):
    """A stored attachment shown as a link to its download view, which asks the access rule
    (never its path under MEDIA_URL, which no server serves)."""

    def __init__(self, url, name):
        super().__init__()
        self.url, self.name = url, name

    def render(self, name, value, attrs=None, renderer=None):
        return format_html('<a href="{}">{}</a>', self.url, self.name)


class AttachmentInlineForm(forms.ModelForm):
    """A new attachment's file passes the same check as every other upload path.

    The file of a stored attachment cannot be swapped here: delete it and add a new one, so
    its recorded type, size and name always describe the stored bytes.
    """

    class Meta:
        model = Attachment
        fields = ["title", "kind", "file"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("Accepted: %(types)s.") % {"types": ALLOWED_LABELS}
        if self.instance.pk:
            self.fields["file"].disabled = True
            self.fields["file"].widget = StoredFileLink(
                reverse("practices:attachment-download", args=[self.instance.pk]),
                self.instance.original_name or _("Download"),
            )

    def clean_file(self):
        uploaded = self.cleaned_data.get("file")
        if self.instance.pk or uploaded is None:
            return uploaded
        try:
            validate_attachment_file(uploaded)
        except ValidationError as error:
            raise ValidationError(error.messages) from error
        return uploaded


class ReviewForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "cols": 80}),
        help_text=_("Sent to the submitter with the decision. Required to request changes."),
    )


class RequestChangesForm(forms.Form):
    comment = forms.CharField(
        label=_("What needs to change"),
        widget=forms.Textarea(attrs={"rows": 6, "cols": 80}),
        help_text=_("Sent by e-mail to the submitter of each selected practice."),
    )
