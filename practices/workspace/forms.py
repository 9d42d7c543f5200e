"""The forms of the practices pages of the workspace: the question pages of a draft, the
"check your answers" submission, a move along the review, a file.

Each question page is a ModelForm over a few of the practice's fields; the views save it
through ``practices.services.practice_save``, never with ``form.save()``.
"""

from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from networks.models import Institution, Municipality

from ..enums import AttachmentKind, ReviewStatus
from ..models import GCMObjective, GCMPrinciple, Practice, Theme
from ..uploads import ALLOWED_LABELS

# The question pages ---------------------------------------------------------------------


class MunicipalityChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.department.name}, {obj.department.country.name})"


class StepForm(forms.ModelForm):
    """A question page: a few fields of the practice, for a practice of ``network``."""

    def __init__(self, *args, network=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.network = network


class AboutForm(StepForm):
    """Question 1: what the practice is, and the problem it answers."""

    class Meta:
        model = Practice
        fields = ["title", "practice_type", "summary", "language"]
        labels = {
            "title": _("Name of the practice"),
            "practice_type": _("What kind of practice is it?"),
            "summary": _("Summary: the problem it answers and what it does"),
            "language": _("Which language are you writing in?"),
        }
        help_texts = {
            "title": _("A short name people will recognise."),
            "summary": _(
                "A few lines, up to 1,500 characters. The public catalogue shows this text."
            ),
        }
        widgets = {
            "practice_type": forms.RadioSelect,
            "summary": forms.Textarea(attrs={"rows": 6}),
            "language": forms.RadioSelect,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A radio list with no empty "---------" choice.
        self.fields["practice_type"].choices = Practice._meta.get_field("practice_type").choices


class WorkForm(StepForm):
    """Question 2: what was done, where, what came of it, and its themes."""

    municipalities = MunicipalityChoiceField(
        queryset=Municipality.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label=_("Where was it done?"),
        help_text=_("The municipalities of the network where the practice was carried out."),
        error_messages={"required": _("Choose at least one municipality.")},
    )

    class Meta:
        model = Practice
        fields = ["body", "results", "municipalities", "themes"]
        labels = {
            "body": _("What was done?"),
            "results": _("What were the results?"),
            "themes": _("Which themes does it cover?"),
        }
        help_texts = {
            "body": _("The steps taken, who took part, what it cost. Lists and links are allowed."),
            "results": _("What changed for people, with figures if you have them."),
            "themes": _("Choose every theme that applies."),
        }
        widgets = {
            "body": forms.Textarea(attrs={"rows": 10}),
            "results": forms.Textarea(attrs={"rows": 6}),
            "themes": forms.CheckboxSelectMultiple,
        }
        error_messages = {"themes": {"required": _("Choose at least one theme.")}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The network's municipalities, and any the practice already names (kept by staff).
        chosen = Q(practices=self.instance) if self.instance.pk else Q(pk__in=[])
        self.fields["municipalities"].queryset = (
            Municipality.objects.with_geography()
            .filter(Q(networks=self.network) | chosen)
            .distinct()
            .order_by("name", "pk")
        )
        self.fields["themes"].queryset = Theme.objects.order_by("position", "name_es")


class GlobalCompactForm(StepForm):
    """Question 3: how it relates to the Global Compact for Migration."""

    class Meta:
        model = Practice
        fields = ["gcm_objectives", "gcm_principles"]
        labels = {
            "gcm_objectives": _("Which objectives of the Global Compact does it serve?"),
            "gcm_principles": _("Which guiding principles of the Global Compact does it follow?"),
        }
        help_texts = {
            "gcm_objectives": _(
                "Choose the ones that apply; leave them empty if you are not sure."
            ),
            "gcm_principles": _(
                "Choose the ones that apply; leave them empty if you are not sure."
            ),
        }
        widgets = {
            "gcm_objectives": forms.CheckboxSelectMultiple,
            "gcm_principles": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["gcm_objectives"].queryset = GCMObjective.objects.order_by("number")
        self.fields["gcm_principles"].queryset = GCMPrinciple.objects.order_by("position")


class PeopleForm(StepForm):
    """Question 4: who led it, with whom, since when, and whether it goes on."""

    class Meta:
        model = Practice
        fields = [
            "lead_institution",
            "partner_institutions",
            "year_started",
            "implementation_status",
        ]
        labels = {
            "lead_institution": _("Which institution led it?"),
            "partner_institutions": _("Which institutions took part?"),
            "year_started": _("In which year did it start?"),
            "implementation_status": _("Is it still going on?"),
        }
        help_texts = {
            "lead_institution": _(
                "If it is not in the list, leave this empty and name it in the description."
            ),
            "partner_institutions": _("Choose every partner that applies."),
            "year_started": _("For example, 2021."),
        }
        widgets = {
            "partner_institutions": forms.CheckboxSelectMultiple,
            "implementation_status": forms.RadioSelect,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Institutions of the network's countries, and any the practice already names.
        countries = Municipality.objects.filter(networks=self.network).values("department__country")
        kept = Q(pk__in=[])
        if self.instance.pk:
            kept = Q(partner_practices=self.instance) | Q(pk=self.instance.lead_institution_id)
        institutions = (
            Institution.objects.filter(Q(country__in=countries) | kept).distinct().order_by("name")
        )
        self.fields["lead_institution"].queryset = institutions
        self.fields["lead_institution"].empty_label = _("Not in the list")
        self.fields["partner_institutions"].queryset = institutions
        self.fields["implementation_status"].choices = Practice._meta.get_field(
            "implementation_status"
        ).choices


class LessonsForm(StepForm):
    """Question 5: what others can learn from it."""

    class Meta:
        model = Practice
        fields = ["lessons_learned", "challenges", "replication_requirements"]
        labels = {
            "lessons_learned": _("What did you learn?"),
            "challenges": _("What was difficult?"),
            "replication_requirements": _("What would another municipality need to do the same?"),
        }
        help_texts = {
            "replication_requirements": _("People, money, agreements, time."),
        }
        widgets = {
            "lessons_learned": forms.Textarea(attrs={"rows": 6}),
            "challenges": forms.Textarea(attrs={"rows": 6}),
            "replication_requirements": forms.Textarea(attrs={"rows": 6}),
        }


@dataclass(frozen=True)
class Step:
    slug: str
    title: str
    form_class: type


#: The question pages of a draft, in order. Each saves the draft when sent.
STEPS = (
    Step("about", _("About the practice"), AboutForm),
    Step("work", _("What was done"), WorkForm),
    Step("compact", _("The Global Compact for Migration"), GlobalCompactForm),
    Step("people", _("Who and when"), PeopleForm),
    Step("lessons", _("What others can learn"), LessonsForm),
)
STEPS_BY_SLUG = {step.slug: step for step in STEPS}

#: The many-to-many fields of the question pages: practice_save sets them.
RELATIONS = frozenset(
    {"themes", "gcm_objectives", "gcm_principles", "municipalities", "partner_institutions"}
)


def next_step(step: Step) -> Step | None:
    index = STEPS.index(step)
    return STEPS[index + 1] if index + 1 < len(STEPS) else None


def missing_answers(practice: Practice) -> list[tuple[Step, str]]:
    """The questions a practice needs answered before review, with what is missing.

    The reviewers cannot publish a practice without a theme and a municipality
    (``services._check_publishable``): sending it without them would only come back.
    Reads the prefetched relations when there are some.
    """
    work = STEPS_BY_SLUG["work"]
    missing = []
    if not practice.themes.all():
        missing.append((work, _("Choose at least one theme.")))
    if not practice.municipalities.all():
        missing.append((work, _("Choose at least one municipality.")))
    return missing


# Check your answers, and the review --------------------------------------------------------


class SubmitForm(forms.Form):
    """The submission at the bottom of "check your answers"."""

    comment = forms.CharField(
        label=_("Anything the reviewers should know?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
    )

    def __init__(self, *args, practice, **kwargs):
        super().__init__(*args, **kwargs)
        self.practice = practice
        if practice.status == ReviewStatus.CHANGES_REQUESTED:
            self.fields["comment"].label = _("Your answer to the reviewer")
            self.fields["comment"].help_text = _("Say what you changed. The reviewer reads this.")

    def clean(self):
        cleaned = super().clean()
        for _step, message in missing_answers(self.practice):
            self.add_error(None, message)
        return cleaned


class MoveForm(forms.Form):
    """The optional comment of a move along the review (withdraw, reopen)."""

    comment = forms.CharField(
        label=_("A note for the reviewers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )


class AttachmentForm(forms.Form):
    """A file added to a practice. The file is checked by ``attachment_add`` (its type read
    from its bytes, its size), so every path in applies the same check."""

    file = forms.FileField(label=_("File"))
    title = forms.CharField(
        label=_("Title"),
        max_length=250,
        required=False,
        help_text=_("What the file is, as readers will see it. Empty: the file's name."),
    )
    kind = forms.ChoiceField(
        label=_("What kind of document is it?"),
        choices=AttachmentKind.choices,
        initial=AttachmentKind.OTHER,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("Accepted: %(types)s, up to %(limit)s.") % {
            "types": ALLOWED_LABELS,
            "limit": filesizeformat(settings.PRACTICE_ATTACHMENT_MAX_BYTES),
        }


# The answers, as "check your answers" shows them -------------------------------------------


def _answer(practice, name, field) -> list[str]:
    """The answer to one field as a list of texts (empty when not answered)."""
    if name in RELATIONS:
        return [field.label_from_instance(item) for item in getattr(practice, name).all()]
    value = getattr(practice, name)
    if value in (None, ""):
        return []
    display = getattr(practice, f"get_{name}_display", None)
    return [str(display() if display else value)]


def answer_sections(practice: Practice, *, network) -> list[dict]:
    """One section per question page: its step, number and rows (label, field name, the
    answer's texts). Labels are the question pages' own; reads the prefetched relations."""
    sections = []
    for number, step in enumerate(STEPS, start=1):
        form = step.form_class(instance=practice, network=network)
        rows = [
            {"name": name, "label": field.label, "values": _answer(practice, name, field)}
            for name, field in form.fields.items()
        ]
        sections.append({"step": step, "number": number, "rows": rows})
    return sections
