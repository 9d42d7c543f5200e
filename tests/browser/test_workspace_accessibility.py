"""axe-core on every page of the workspace, at 375 px: no serious or critical violation.

The pages are every GET URL of the workspace (read from the URL configuration, as the access
matrix does: a new page is checked the moment it exists), opened in Chromium as a coordinator
of the network, plus the account pages of allauth a coordinator uses and an invitation link.
"""

import os

import pytest
from django.test import Client

from networks.enums import MembershipRole
from networks.invitations import invitation_send
from tests.factories import NetworkFactory, StaffUserFactory
from tests.workspace_urls import records_of, seat, url_of, workspace_url_names

from .conftest import CHROMIUM, PHONE, accessibility_violations, signed_in_context

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists() and not os.environ.get("REQUIRE_BROWSER"),
        reason="needs Chromium at /usr/bin/chromium",
    ),
]

#: allauth's pages a signed-in coordinator uses (their look is the portal's: templates/allauth/).
ACCOUNT_PAGES = [
    "/accounts/password/change/",
    "/accounts/email/",
    "/accounts/2fa/",
    "/accounts/2fa/totp/activate/",
    "/accounts/sessions/",
]


def _html_pages(client, records):
    """The workspace's pages that answer ``client``'s GET with a page (not a download, a
    POST-only step or a step that sends back to an earlier one)."""
    urls = []
    for name, arguments in workspace_url_names():
        url = url_of(name, arguments, records)
        response = client.get(url)
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            urls.append(url)
    return urls


def test_every_workspace_page_has_no_serious_accessibility_violation(
    browser, live_server, transactional_db
):
    network = NetworkFactory(name="Mesa Trifinio")
    records = records_of(network, "A")
    client = Client()
    client.force_login(seat(network, MembershipRole.COORDINATOR))
    pages = _html_pages(client, records)
    assert len(pages) > 30
    context = signed_in_context(browser, live_server, client, viewport=PHONE)
    page = context.new_page()
    found, opened = [], 0
    for path in pages + ACCOUNT_PAGES:
        for prefix in ("", "/en"):
            response = page.goto(f"{live_server.url}{prefix}{path}")
            assert response.status == 200, f"{prefix}{path} -> {response.status}"
            opened += 1
            assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], (
                f"{prefix}{path} scrolls sideways at {PHONE['width']} px"
            )
            found += [
                f"{prefix}{path}: {violation}" for violation in accessibility_violations(page)
            ]
    context.close()
    print(f"axe-core: {opened} pages opened at {PHONE['width']} px")
    assert opened > 60
    assert not found, "\n".join(found)


def test_invitation_and_sign_in_pages_have_no_serious_accessibility_violation(
    browser, live_server, transactional_db
):
    from django.core import mail

    network = NetworkFactory(name="Mesa Trifinio")
    person = records_of(network, "A")["person"]
    invitation_send(person=person, actor=StaffUserFactory(is_superuser=True), network=network)
    link = next(word for word in mail.outbox[-1].body.split() if "/accounts/invitation/" in word)
    path = link[link.index("/accounts/invitation/") :]
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    found = []
    for url in (path, "/accounts/login/", "/accounts/password/reset/"):
        assert page.goto(f"{live_server.url}{url}").status == 200, url
        found += [f"{url}: {violation}" for violation in accessibility_violations(page)]
    context.close()
    assert not found, "\n".join(found)


def test_the_check_reports_a_page_that_breaks_the_rules(browser):
    """So that "no violation" above means something: a field without a label and an image
    without a text alternative are reported."""
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.set_content(
        '<html lang="es"><head><title>x</title></head><body><main>'
        '<input type="text" name="q"><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
        "</main></body></html>"
    )

    violations = accessibility_violations(page)
    context.close()

    assert any(line.startswith("label (critical)") for line in violations), violations
    assert any(line.startswith("image-alt (critical)") for line in violations), violations
