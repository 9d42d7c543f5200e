"""The authenticator app's QR code shows under the Content Security Policy."""

import os

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory

from .conftest import CHROMIUM, signed_in_context

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists() and not os.environ.get("REQUIRE_BROWSER"),
        reason="needs Chromium at /usr/bin/chromium",
    ),
]


def test_a_user_setting_up_an_authenticator_app_sees_the_qr_code_to_scan_with_no_policy_violation(
    browser, live_server, transactional_db
):
    client = Client()
    client.force_login(UserFactory())
    context = signed_in_context(browser, live_server, client)
    page = context.new_page()
    violations = []
    page.on(
        "console",
        lambda message: "CSP violation" in message.text and violations.append(message.text),
    )

    page.goto(live_server.url + reverse("mfa_activate_totp"))
    # allauth asks for the password again before a second factor is set up.
    page.fill("input[name=password]", "correct horse battery staple")
    page.click("button[type=submit]")

    qr = page.locator("img[src^='data:image/svg+xml']")
    qr.wait_for()
    # Drawn, not blocked: the browser decoded the image and gave it a size.
    assert qr.evaluate("image => image.complete && image.naturalWidth > 0")
    assert qr.bounding_box()["width"] >= 150
    assert violations == []
    context.close()
