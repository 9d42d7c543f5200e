"""The practices pages of the workspace, as a coordinator uses them: a draft through the
question pages (each saving it), check your answers, submit, the reviewer's comments, answer
and submit again, withdraw and reopen, delete a draft; read-only once in review or published."""

import pytest

from networks.enums import MembershipRole
from practices.enums import ContentLanguage, ImplementationStatus, PracticeType, ReviewStatus
from practices.models import GCMObjective, Practice, ReviewLogEntry, Theme
from practices.services import practice_request_changes, practice_submit
from tests.factories import (
    InstitutionFactory,
    MunicipalityFactory,
    NetworkFactory,
    StaffUserFactory,
)

from .workspace_helpers import coordinator_of, grant, message_texts, practice_of, url

pytestmark = pytest.mark.django_db

S = ReviewStatus


@pytest.fixture
def network(border_municipalities):
    return NetworkFactory(
        name="Mesa Trifinio",
        municipalities=[border_municipalities["SV"], border_municipalities["GT"]],
    )


@pytest.fixture
def coordinator(network):
    return coordinator_of(network, email="coordinadora@example.org", name="Ana Coordinadora")


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


@pytest.fixture
def theme():
    return Theme.objects.order_by("position").first()


@pytest.fixture
def reviewer(db):
    return grant(
        StaffUserFactory(email="revisora@example.org", name="Rita Revisora"), "change_practice"
    )


ABOUT = {
    "title": "Ventanilla de atención a personas retornadas",
    "practice_type": PracticeType.PUBLIC_SERVICE,
    "summary": "Personas retornadas no sabían a dónde acudir.",
    "language": ContentLanguage.SPANISH,
}


# A new draft, page by page -----------------------------------------------------------------


def test_a_new_draft_goes_through_the_question_pages_to_check_and_submit(
    coordinator_client, coordinator, network, border_municipalities, theme
):
    page = coordinator_client.get(url("new", network=network))
    assert page.status_code == 200
    assert "Question 1 of 5" in page.content.decode()

    response = coordinator_client.post(url("new", network=network), ABOUT)

    practice = Practice.objects.get()
    assert (practice.title, practice.status, practice.network, practice.submitted_by) == (
        ABOUT["title"],
        S.DRAFT,
        network,
        coordinator,
    )
    assert response.url == url("edit", practice, step="work")
    assert message_texts(response) == ["Your draft is saved. You can come back to it at any time."]

    objective = GCMObjective.objects.order_by("number").first()
    lead = InstitutionFactory(
        name="Alcaldía de Metapán", country=border_municipalities["SV"].department.country
    )
    answers = [
        (
            "work",
            {
                "body": "Abrimos una ventanilla.",
                "results": "300 personas atendidas.",
                "municipalities": [border_municipalities["SV"].pk],
                "themes": [theme.pk],
            },
            "compact",
        ),
        ("compact", {"gcm_objectives": [objective.pk]}, "people"),
        (
            "people",
            {
                "lead_institution": lead.pk,
                "year_started": "2021",
                "implementation_status": ImplementationStatus.COMPLETED,
            },
            "lessons",
        ),
        ("lessons", {"lessons_learned": "Coordinar antes.", "challenges": ""}, None),
    ]
    for step, data, following in answers:
        response = coordinator_client.post(url("edit", practice, step=step), data)
        expected = url("edit", practice, step=following) if following else url("check", practice)
        assert (response.status_code, response.url) == (302, expected)

    practice.refresh_from_db()
    assert list(practice.municipalities.all()) == [border_municipalities["SV"]]
    assert list(practice.themes.all()) == [theme]
    assert list(practice.gcm_objectives.all()) == [objective]
    assert (practice.lead_institution, practice.year_started, practice.lessons_learned) == (
        lead,
        2021,
        "Coordinar antes.",
    )

    check = coordinator_client.get(url("check", practice))
    content = check.content.decode()
    assert "Check your answers before you submit" in content
    for answer in (
        "300 personas atendidas.",
        "Metapán (Santa Ana, El Salvador)",
        "Alcaldía de Metapán",
    ):
        assert answer in content
    assert f'href="{url("edit", practice, step="people")}?return=check#id_year_started"' in content

    response = coordinator_client.post(url("check", practice), {"comment": "Primera versión."})

    assert response.url == url("detail", practice)
    practice.refresh_from_db()
    assert practice.status == S.SUBMITTED
    assert [
        (e.actor, e.from_status, e.to_status, e.comment) for e in ReviewLogEntry.objects.all()
    ] == [(coordinator, S.DRAFT, S.SUBMITTED, "Primera versión.")]
    assert message_texts(response) == [
        f"“{ABOUT['title']}” is sent for review. IOM staff will read it and may ask for changes."
    ]


def test_a_question_page_with_errors_keeps_every_value_and_saves_nothing(
    coordinator_client, network
):
    response = coordinator_client.post(
        url("new", network=network),
        {**ABOUT, "title": "", "summary": "Un resumen que no se pierde."},
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert "There is a problem" in content
    assert 'href="#id_title"' in content
    assert "Un resumen que no se pierde." in content
    assert not Practice.objects.exists()


def test_the_draft_is_kept_after_the_first_page_even_if_the_rest_never_comes(
    coordinator_client, network
):
    coordinator_client.post(url("new", network=network), ABOUT)

    practice = Practice.objects.get()
    listing = coordinator_client.get(url("list", network=network)).content.decode()
    assert practice.title in listing
    assert url("check", practice) in listing  # "Finish it and submit it for review"


def test_a_network_named_in_the_form_is_ignored(coordinator_client, network):
    other = NetworkFactory()

    coordinator_client.post(url("new", network=network), {**ABOUT, "network": other.pk})

    assert Practice.objects.get().network == network


def test_a_change_link_comes_back_to_check_your_answers(coordinator_client, network):
    practice = practice_of(network)

    response = coordinator_client.post(
        url("edit", practice, step="about"), {**ABOUT, "title": "Nuevo nombre", "return": "check"}
    )

    assert response.url == url("check", practice)
    assert Practice.objects.get(pk=practice.pk).title == "Nuevo nombre"


def test_only_the_networks_municipalities_are_offered_and_accepted(
    coordinator_client, network, border_municipalities, theme
):
    practice = practice_of(network, municipalities=[border_municipalities["SV"]])
    elsewhere = border_municipalities["HN"]  # not one of the network's

    page = coordinator_client.get(url("edit", practice, step="work"))
    response = coordinator_client.post(
        url("edit", practice, step="work"),
        {"municipalities": [elsewhere.pk], "themes": [theme.pk]},
    )

    offered = set(page.context["form"].fields["municipalities"].queryset)
    assert offered == {border_municipalities["SV"], border_municipalities["GT"]}
    assert response.status_code == 200
    assert "municipalities" in response.context["form"].errors
    assert list(Practice.objects.get(pk=practice.pk).municipalities.all()) == [
        border_municipalities["SV"]
    ]


def test_a_draft_without_theme_or_municipality_is_not_submitted(coordinator_client, network):
    practice = practice_of(network, themes=[], municipalities=[])

    check = coordinator_client.get(url("check", practice)).content.decode()
    response = coordinator_client.post(url("check", practice), {"comment": ""})

    assert "Still to answer" in check
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Choose at least one theme.",
        "Choose at least one municipality.",
    ]
    assert Practice.objects.get(pk=practice.pk).status == S.DRAFT
    assert not ReviewLogEntry.objects.exists()


# The reviewer's comments, the answer, submitting again ---------------------------------------


def test_the_reviewers_comments_show_newest_first_and_the_answer_resubmits(
    coordinator_client, coordinator, reviewer, network
):
    practice = practice_of(network, title="Ordenanza de movilidad")
    practice_submit(practice=practice, actor=coordinator)
    practice_request_changes(
        practice=practice, actor=reviewer, comment="Falta el número de la ordenanza."
    )

    detail = coordinator_client.get(url("detail", practice))
    check = coordinator_client.get(url("check", practice))

    assert detail.context["reviewer_request"].comment == "Falta el número de la ordenanza."
    assert [entry.to_status for entry in detail.context["history"]] == [
        S.CHANGES_REQUESTED,
        S.SUBMITTED,
    ]
    content = detail.content.decode()
    assert "The reviewer asks for changes" in content
    assert "Rita Revisora" in content
    assert f'href="{url("check", practice)}"' in content  # Answer and submit again
    assert check.context["form"].fields["comment"].label == "Your answer to the reviewer"
    assert "Falta el número de la ordenanza." in check.content.decode()

    response = coordinator_client.post(
        url("check", practice), {"comment": "Añadimos el número 12-2021."}
    )

    assert response.url == url("detail", practice)
    assert Practice.objects.get(pk=practice.pk).status == S.SUBMITTED
    latest = ReviewLogEntry.objects.order_by("-pk").first()
    assert (latest.from_status, latest.to_status, latest.comment) == (
        S.CHANGES_REQUESTED,
        S.SUBMITTED,
        "Añadimos el número 12-2021.",
    )


def test_a_practice_sent_back_may_be_changed_again(coordinator_client, network):
    practice = practice_of(network, status=S.CHANGES_REQUESTED)

    response = coordinator_client.post(
        url("edit", practice, step="about"), {**ABOUT, "title": "Corregida"}
    )

    assert response.status_code == 302
    assert Practice.objects.get(pk=practice.pk).title == "Corregida"


def test_withdraw_on_a_confirmation_page_then_reopen_as_draft(coordinator_client, network):
    practice = practice_of(network, status=S.SUBMITTED, title="En revisión")

    confirm = coordinator_client.get(url("move", practice, to="withdrawn"))
    coordinator_client.post(url("move", practice, to="withdrawn"), {"comment": "La rehacemos."})
    withdrawn = Practice.objects.get(pk=practice.pk).status
    coordinator_client.post(url("move", practice, to="draft"), {})

    assert confirm.context["title"] == "Withdraw “En revisión” from review?"
    assert withdrawn == S.WITHDRAWN
    assert Practice.objects.get(pk=practice.pk).status == S.DRAFT
    assert list(ReviewLogEntry.objects.values_list("to_status", "comment")) == [
        (S.WITHDRAWN, "La rehacemos."),
        (S.DRAFT, ""),
    ]


def test_a_move_that_no_longer_applies_changes_nothing(coordinator_client, network):
    practice = practice_of(network, status=S.DRAFT)

    response = coordinator_client.post(url("move", practice, to="withdrawn"), {})

    assert response.url == url("detail", practice)
    assert message_texts(response) == [f"“{practice.title}” is “Draft” now: nothing was changed."]
    assert not ReviewLogEntry.objects.exists()


def test_a_draft_is_deleted_on_a_confirmation_page(coordinator_client, network):
    practice = practice_of(network, title="Borrador")

    confirm = coordinator_client.get(url("delete", practice))
    response = coordinator_client.post(url("delete", practice))

    assert confirm.context["button"] == "Delete the draft"
    assert response.url == url("list", network=network)
    assert not Practice.objects.exists()


# Read-only once in review or published ---------------------------------------------------------


@pytest.mark.parametrize("status", [S.SUBMITTED, S.PUBLISHED, S.ARCHIVED, S.WITHDRAWN])
def test_a_practice_in_review_or_published_is_read_only(coordinator_client, network, status):
    practice = practice_of(network, status=status, title="Intocable")

    detail = coordinator_client.get(url("detail", practice))
    edit_page = coordinator_client.get(url("edit", practice, step="about"))
    edit = coordinator_client.post(
        url("edit", practice, step="about"), {**ABOUT, "title": "Cambiada"}
    )
    submit = coordinator_client.post(url("check", practice), {"comment": ""})
    delete = coordinator_client.post(url("delete", practice))

    content = detail.content.decode()
    assert detail.status_code == 200
    assert "Intocable" in content
    assert "?return=check" not in content  # no change links
    assert url("check", practice) not in content
    assert (edit_page.status_code, edit.status_code, submit.status_code, delete.status_code) == (
        403,
        403,
        403,
        403,
    )
    stored = Practice.objects.get(pk=practice.pk)
    assert (stored.title, stored.status) == ("Intocable", status)
    assert not ReviewLogEntry.objects.exists()


def test_a_co_coordinator_works_on_the_networks_drafts_too(client, network):
    practice = practice_of(network)
    colleague = coordinator_of(network, role=MembershipRole.CO_COORDINATOR)
    client.force_login(colleague)

    response = client.post(url("edit", practice, step="lessons"), {"challenges": "El tiempo."})

    assert response.status_code == 302
    assert Practice.objects.get(pk=practice.pk).challenges == "El tiempo."


def test_unknown_question_page_is_a_404(coordinator_client, network):
    practice = practice_of(network)

    assert coordinator_client.get(url("edit", practice, step="nothing")).status_code == 404


def test_municipalities_outside_the_network_already_linked_are_kept_on_the_page(
    coordinator_client, network, theme
):
    # Staff may have recorded a municipality the network does not have: it stays choosable.
    kept = MunicipalityFactory(name="Ciudad lejana")
    practice = practice_of(network, municipalities=[kept])

    page = coordinator_client.get(url("edit", practice, step="work"))

    assert kept in set(page.context["form"].fields["municipalities"].queryset)
