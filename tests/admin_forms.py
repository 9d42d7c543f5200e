"""Posting the admin's pages back as a browser would: the form and inlines as rendered."""

from django import forms


def post_data(form):
    """What a browser would send back for ``form`` as it was rendered."""
    data = {}
    for bound in form:
        widget = bound.field.widget
        value = bound.value()
        if isinstance(widget, forms.MultiWidget):
            parts = widget.decompress(value) if not isinstance(value, list) else value
            for index, part in enumerate(parts):
                data[f"{bound.html_name}_{index}"] = "" if part is None else str(part)
        elif isinstance(widget, forms.CheckboxInput):
            if value:
                data[bound.html_name] = "on"
        elif isinstance(bound.field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
            data[bound.html_name] = [str(item) for item in value or []]
        elif isinstance(value, list | tuple):
            data[bound.html_name] = [str(item) for item in value]
        else:
            data[bound.html_name] = "" if value is None else str(value)
    return data


def change_form_data(response):
    """The add or change page's form and inlines as rendered, ready to post back."""
    assert response.status_code == 200, response.status_code
    data = post_data(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(post_data(formset.management_form))
        for form in formset.forms:
            data.update(post_data(form))
    return data


def add_inline_row(data, prefix, **values):
    """Append one new row to the inline formset ``prefix``."""
    index = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-TOTAL_FORMS"] = str(index + 1)
    for name, value in values.items():
        data[f"{prefix}-{index}-{name}"] = value
    return data
