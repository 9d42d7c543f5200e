from django import template
from django.utils.safestring import mark_safe

from practices.rendering import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(value):
    """``{{ practice.body|markdown }}``: Markdown rendered and sanitised by nh3."""
    # Safe to mark: render_markdown keeps only the allow-listed tags and attributes.
    return mark_safe(render_markdown(value))  # noqa: S308
