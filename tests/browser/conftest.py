"""Shared fixtures for browser tests: one headless Chromium per module, a fresh page per test.

Tests skip when /usr/bin/chromium is absent unless REQUIRE_BROWSER is set (CI).
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}

# The page reports policy violations to the console, where the test collects them.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`);
});
"""


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API runs an event loop in this thread; the ORM refuses to run
    # beside one unless told it is safe (here it is: the loop never awaits ORM code).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def problems():
    """Console errors, uncaught exceptions, CSP violations and failed requests of the page."""
    return []


@pytest.fixture
def page(browser, problems):
    context = browser.new_context(viewport=DESKTOP)
    context.add_init_script(REPORT_CSP_VIOLATIONS)
    page = context.new_page()
    page.on(
        "console",
        lambda message: message.type == "error" and problems.append(f"console: {message.text}"),
    )
    page.on("pageerror", lambda error: problems.append(f"exception: {error}"))
    page.on(
        "response",
        lambda response: (
            response.status >= 400 and problems.append(f"{response.status}: {response.url}")
        ),
    )
    yield page
    context.close()


PHONE = {"width": 375, "height": 740}


def signed_in_context(browser, live_server, client, *, viewport=DESKTOP):
    """A browser context carrying the session cookie of ``client`` (signed in with
    ``force_login``), reporting policy violations to the console."""
    context = browser.new_context(viewport=viewport)
    context.add_init_script(REPORT_CSP_VIOLATIONS)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                # The name may carry "__Host-" (production settings): a host-only cookie on
                # "/", Secure, which Chromium accepts for http://localhost.
                "domain": urlsplit(live_server.url).hostname,
                "path": "/",
                "secure": True,
            }
        ]
    )
    return context


#: axe-core's impact levels that fail a page.
BLOCKING_IMPACTS = {"serious", "critical"}


def accessibility_violations(page) -> list[str]:
    """axe-core's serious and critical violations of the page as it is now, one line each
    (rule, impact, and the first offending elements), for a readable assertion message."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    found = []
    for violation in results.response["violations"]:
        if violation["impact"] in BLOCKING_IMPACTS:
            targets = ", ".join(str(node["target"]) for node in violation["nodes"][:3])
            found.append(f"{violation['id']} ({violation['impact']}): {targets}")
    return found
