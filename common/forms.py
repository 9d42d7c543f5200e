"""How the portal's own forms render (the admin and allauth keep theirs)."""

from django.forms.renderers import TemplatesSetting


class PortalFormRenderer(TemplatesSetting):
    """Every ``{{ form }}`` and ``{{ field.as_field_group }}`` of the portal renders a field
    as ``templates/forms/field.html``: label, hint and error tied to the input for screen
    readers, the error above the input where a person on a phone sees it."""

    field_template_name = "forms/field.html"
