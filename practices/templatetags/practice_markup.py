from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from practices.cards import escape
from practices.rendering import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(value):
    """``{{ practice.body|markdown }}``: Markdown rendered and sanitised by nh3."""
    # Safe to mark: render_markdown keeps only the allow-listed tags and attributes.
    return mark_safe(render_markdown(value))  # noqa: S308


@register.simple_tag
def facet_select(name, label, all_label, options, current=""):
    """A filter's ``<select>`` with its options and counts.

    Built in Python rather than with a template loop: a broad search lists hundreds of
    municipalities, and a loop of template nodes per option was a third of the page's time.
    Every value and label is escaped here (``escape``), as the template would.
    """
    current = str(current or "")
    choices = "".join(
        f'<option value="{escape(option.value)}"{" selected" if option.value == current else ""}>'
        f"{escape(option.label)} ({option.count:d})</option>"
        for option in options
    )
    return format_html(
        '<div class="filters__field"><label for="filter-{name}">{label}</label>'
        '<select id="filter-{name}" name="{name}"><option value="">{all_label}</option>'
        "{choices}</select></div>",
        name=name,
        label=label,
        all_label=all_label,
        # Safe to mark: built above from escaped values and integers only.
        choices=mark_safe(choices),  # noqa: S308
    )
