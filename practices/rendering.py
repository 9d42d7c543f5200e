"""Markdown written by coordinators, turned into HTML that is safe to show on public pages.

Markdown passes raw HTML through, so everything it produces is cleaned by nh3 against a short
list of tags: no scripts, event handlers, styles, images or non-web links can survive.
"""

import threading

import markdown
import nh3
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

# Fields of Practice written in Markdown.
MARKDOWN_FIELDS = ("body", "results", "lessons_learned", "challenges", "replication_requirements")

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "ul",
    "ol",
    "li",
    "a",
    "blockquote",
    "h3",
    "h4",
    "code",
    "pre",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
# "rel" is set by nh3 itself (link_rel) and must not be listed here.
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow noopener"


class _DemoteHeadings(Treeprocessor):
    """The page already has its h1 and h2: a "# Heading" in a description becomes an h3."""

    def run(self, root):
        for element in root.iter():
            if element.tag in {"h1", "h2"}:
                element.tag = "h3"
            elif element.tag in {"h5", "h6"}:
                element.tag = "h4"


class _DemoteHeadingsExtension(Extension):
    def extendMarkdown(self, md):
        md.treeprocessors.register(_DemoteHeadings(md), "demote_headings", 5)


_converters = threading.local()


def _converter() -> markdown.Markdown:
    """This thread's Markdown converter: building one (its parser and extensions) cost more
    than converting a practice's text, and a converter is not safe to share between threads."""
    converter = getattr(_converters, "markdown", None)
    if converter is None:
        converter = _converters.markdown = markdown.Markdown(
            extensions=["tables", "fenced_code", "sane_lists", _DemoteHeadingsExtension()],
            output_format="html",
        )
    return converter


def render_markdown(text) -> str:
    """Markdown to sanitised HTML (a plain str; mark it safe only where it is output)."""
    if not text:
        return ""
    # reset() forgets what the previous text left behind (references, footnotes, state).
    html = _converter().reset().convert(text)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
    )
