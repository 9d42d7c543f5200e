"""Markdown written by coordinators: rendered, and nothing executable survives."""

import pytest
from django.template import Context, Template

from practices.rendering import render_markdown


def test_markdown_renders_paragraphs_emphasis_lists_and_links():
    html = render_markdown(
        "Una **ordenanza** con *enfoque*.\n\n"
        "- primero\n- segundo\n\n"
        "1. uno\n2. dos\n\n"
        "> cita\n\n"
        '[Gaceta](https://www.example.org/gaceta "Diario oficial")'
    )

    assert html == (
        "<p>Una <strong>ordenanza</strong> con <em>enfoque</em>.</p>\n"
        "<ul>\n<li>primero</li>\n<li>segundo</li>\n</ul>\n"
        "<ol>\n<li>uno</li>\n<li>dos</li>\n</ol>\n"
        "<blockquote>\n<p>cita</p>\n</blockquote>\n"
        '<p><a href="https://www.example.org/gaceta" title="Diario oficial" '
        'rel="nofollow noopener">Gaceta</a></p>'
    )


def test_headings_become_h3_and_h4_under_the_page_headings():
    html = render_markdown("# Uno\n\n## Dos\n\n### Tres\n\n#### Cuatro\n\n###### Seis")

    assert html == "<h3>Uno</h3>\n<h3>Dos</h3>\n<h3>Tres</h3>\n<h4>Cuatro</h4>\n<h4>Seis</h4>"


def test_tables_and_code_blocks_render():
    html = render_markdown("| a | b |\n|---|---|\n| 1 | 2 |\n\n```\nx < y\n```\n\nUsa `code`.")

    assert "<table>" in html
    assert "<th>a</th>" in html
    assert "<td>2</td>" in html
    assert "<pre><code>x &lt; y\n</code></pre>" in html
    assert "<p>Usa <code>code</code>.</p>" in html


def test_mailto_links_are_kept():
    assert render_markdown("<mailto:red@example.org>").count('href="mailto:red@example.org"') == 1


@pytest.mark.parametrize(
    ("source", "forbidden"),
    [
        ("<script>alert(1)</script>Hola", ["<script", "alert(1)"]),
        ("<img src=x onerror=alert(1)>", ["<img", "onerror"]),
        ('<a href="#" onclick="alert(1)">x</a>', ["onclick"]),
        ("[clic](javascript:alert(1))", ["javascript:"]),
        ('<a href="JaVaScRiPt:alert(1)">x</a>', ["javascript", "JaVaScRiPt"]),
        ("[x](data:text/html;base64,PHNjcmlwdD4=)", ["data:"]),
        ('<a href="data:text/html,<script>alert(1)</script>">x</a>', ["data:", "<script"]),
        ('<p style="position:fixed">x</p>', ["style", "position"]),
        ("| a |\n|:-:|\n| b |", ["style", "text-align"]),
        ('<iframe src="https://evil.example"></iframe>', ["<iframe", "evil"]),
        ("<style>body{display:none}</style>", ["<style", "display"]),
        ('<form action="https://evil.example"><input name=x></form>', ["<form", "<input"]),
        ('<svg onload="alert(1)"></svg>', ["<svg", "onload"]),
        ("[x](vbscript:msgbox)", ["vbscript"]),
    ],
)
def test_dangerous_markup_never_survives(source, forbidden):
    html = render_markdown(source)

    assert [token for token in forbidden if token.lower() in html.lower()] == []


def test_links_cannot_set_their_own_rel_or_target():
    html = render_markdown('<a href="https://example.org" rel="opener" target="_self">x</a>')

    assert html == '<p><a href="https://example.org" rel="nofollow noopener">x</a></p>'


@pytest.mark.parametrize("empty", ["", None])
def test_empty_text_renders_nothing(empty):
    assert render_markdown(empty) == ""


def test_template_filter_outputs_safe_sanitised_html():
    template = Template("{% load practice_markup %}<div>{{ text|markdown }}</div>")

    html = template.render(Context({"text": "**Hola** <script>alert(1)</script>"}))

    assert html == "<div><p><strong>Hola</strong> </p></div>"


def test_one_text_leaves_nothing_behind_for_the_next():
    # The converter is reused between texts: a reference defined in one must not resolve in
    # the next, nor a list left open carry over.
    first = render_markdown("Ver [la ordenanza][o].\n\n[o]: https://example.org/ordenanza\n\n- uno")
    second = render_markdown("Ver [la ordenanza][o].")

    assert 'href="https://example.org/ordenanza"' in first
    assert "href" not in second and "<li>" not in second
    assert second == "<p>Ver [la ordenanza][o].</p>"


def test_texts_converted_in_threads_at_once_stay_their_own():
    import concurrent.futures

    texts = [f"# Título {n}\n\nTexto **{n}**." for n in range(40)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        converted = list(pool.map(render_markdown, texts))

    assert converted == [
        f"<h3>Título {n}</h3>\n<p>Texto <strong>{n}</strong>.</p>" for n in range(40)
    ]
