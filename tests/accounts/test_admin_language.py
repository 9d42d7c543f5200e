"""Staff read the admin in the language they chose on My account."""

import pytest

from tests.factories import StaffUserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "title"), [("es", "Sitio administrativo"), ("en", "Site administration")]
)
def test_admin_speaks_the_staff_members_language(client, language, title):
    client.force_login(StaffUserFactory(is_superuser=True, language=language))

    response = client.get("/admin/")

    assert response.status_code == 200
    assert f"<h1>{title}</h1>" in response.content.decode()
    assert response["Content-Language"] == language


def test_the_public_pages_keep_their_address_language(client):
    client.force_login(StaffUserFactory(is_superuser=True, language="en"))

    response = client.get("/networks/")

    assert response["Content-Language"] == "es"  # unprefixed: Spanish, whatever the account
