"""The staff admin of practices: changelist queries and filters, saving through the service,
attachment uploads, review actions and the review screen, taxonomies."""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.translation import gettext, override

from practices.demo import pdf_document
from practices.enums import AttachmentKind, PracticeType, ReviewStatus
from practices.models import Attachment, Practice, ReviewLogEntry, Theme
from practices.search import practice_search
from practices.services import attachment_add
from tests.factories import (
    MunicipalityFactory,
    NetworkFactory,
    PracticeFactory,
    StaffUserFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# A real one-page PDF: uploads are parsed whole (practices/uploads.py).
PDF = pdf_document(["Acta"])
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"


def spanish(msgid):
    """A message as the admin shows it (/admin/ is served in Spanish, the default language)."""
    with override("es"):
        return gettext(msgid)


def grant(user, *codenames):
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="practices", codename__in=codenames)
    )
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def reviewer(db):
    return grant(
        StaffUserFactory(email="reviewer@example.org"),
        "view_practice",
        "add_practice",
        "change_practice",
        "view_theme",
        "change_theme",
    )


@pytest.fixture
def reviewer_client(client, reviewer):
    client.force_login(reviewer)
    return client


@pytest.fixture
def theme():
    return Theme.objects.order_by("position").first()


def practice_in(status, **kwargs):
    """A practice ready to publish (a theme and a municipality), in ``status``."""
    if status in {ReviewStatus.PUBLISHED, ReviewStatus.ARCHIVED}:
        kwargs.setdefault("published_at", timezone.now())
    kwargs.setdefault("submitted_by", UserFactory())
    kwargs.setdefault("themes", [Theme.objects.order_by("position").first()])
    kwargs.setdefault("municipalities", [MunicipalityFactory()])
    return PracticeFactory(status=status, **kwargs)


def message_texts(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


# Changelist ----------------------------------------------------------------------------------


def practice_row(border_municipalities):
    practice_in(
        ReviewStatus.PUBLISHED,
        network=NetworkFactory(),
        municipalities=list(border_municipalities.values()),
    )


def test_changelist_queries_do_not_grow_with_rows(
    reviewer_client, border_municipalities, django_assert_num_queries
):
    url = reverse("admin:practices_practice_changelist")
    practice_row(border_municipalities)
    with CaptureQueriesContext(connection) as few:
        response = reviewer_client.get(url)
    assert response.context["cl"].result_count == 1

    for _ in range(19):
        practice_row(border_municipalities)
    with django_assert_num_queries(len(few)):
        response = reviewer_client.get(url)

    assert response.status_code == 200
    assert response.context["cl"].result_count == 20


def test_changelist_lists_newest_first_without_reading_long_texts(
    reviewer_client, border_municipalities
):
    practice_row(border_municipalities)
    newest = practice_in(ReviewStatus.DRAFT, title="Borrador recién creado")

    with CaptureQueriesContext(connection) as queries:
        response = reviewer_client.get(reverse("admin:practices_practice_changelist"))

    assert response.context["cl"].result_list[0] == newest
    page_query = next(
        query["sql"]
        for query in queries
        if query["sql"].startswith('SELECT "practices_practice"."id"')
        and "ORDER BY" in query["sql"]
    )
    assert '"practices_practice"."title"' in page_query
    for long_text in ("body", "search_text", "lessons_learned"):
        assert f'"practices_practice"."{long_text}"' not in page_query


def test_changelist_filters_by_country_of_the_municipalities(reviewer_client, countries):
    in_honduras = practice_in(
        ReviewStatus.SUBMITTED,
        municipalities=[MunicipalityFactory(department__country=countries["HN"])],
    )
    practice_in(
        ReviewStatus.SUBMITTED,
        municipalities=[MunicipalityFactory(department__country=countries["GT"])],
    )

    response = reviewer_client.get(
        reverse("admin:practices_practice_changelist"),
        {"municipalities__department__country__id__exact": countries["HN"].pk},
    )

    assert list(response.context["cl"].result_list) == [in_honduras]


def test_changelist_filters_by_status(reviewer_client):
    submitted = practice_in(ReviewStatus.SUBMITTED)
    practice_in(ReviewStatus.DRAFT)

    response = reviewer_client.get(
        reverse("admin:practices_practice_changelist"), {"status__exact": "submitted"}
    )

    assert list(response.context["cl"].result_list) == [submitted]


# Saving through practice_save -----------------------------------------------------------------


def form_data(**overrides):
    """The add/change form as the browser posts it, with the three inlines empty."""
    data = {
        "title": "Mesa municipal de protección a la niñez migrante",
        "slug": "",
        "summary": "Coordinación local de casos.",
        "practice_type": PracticeType.COORDINATION_MECHANISM,
        "language": "es",
        "body": "",
        "results": "",
        "lessons_learned": "",
        "challenges": "",
        "replication_requirements": "",
        "network": "",
        "lead_institution": "",
        "year_started": "2021",
        "implementation_status": "ongoing",
        "submitted_by": "",
        "_save": "Save",
    }
    for prefix in ("legal_evidence", "replications", "attachments"):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": "0",
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    data.update(overrides)
    return data


def test_adding_a_practice_goes_through_practice_save(reviewer_client, reviewer, theme):
    municipality = MunicipalityFactory()

    response = reviewer_client.post(
        reverse("admin:practices_practice_add"),
        form_data(themes=[theme.pk], municipalities=[municipality.pk]),
    )

    assert response.status_code == 302
    practice = Practice.objects.get()
    assert practice.slug == "mesa-municipal-de-proteccion-a-la-ninez-migrante"
    assert (practice.status, practice.submitted_by) == (ReviewStatus.DRAFT, reviewer)
    assert list(practice.themes.all()) == [theme]
    assert list(practice.municipalities.all()) == [municipality]
    assert list(practice_search(Practice.objects.all(), "niñez")) == [practice]


def test_editing_a_practice_refreshes_its_search_data(reviewer_client, theme):
    practice = practice_in(ReviewStatus.SUBMITTED)

    response = reviewer_client.post(
        reverse("admin:practices_practice_change", args=[practice.pk]),
        form_data(
            slug=practice.slug,
            body="Intérpretes de lenguas garífunas.",
            themes=[theme.pk],
            municipalities=[m.pk for m in practice.municipalities.all()],
        ),
    )

    assert response.status_code == 302
    assert list(practice_search(Practice.objects.all(), "garifunas")) == [practice]
    assert Practice.objects.get(pk=practice.pk).status == ReviewStatus.SUBMITTED


def attachment_data(name, data):
    return {
        "attachments-TOTAL_FORMS": "1",
        "attachments-0-title": "Texto de la ordenanza",
        "attachments-0-kind": AttachmentKind.LEGAL_TEXT,
        "attachments-0-file": SimpleUploadedFile(name, data, content_type="application/pdf"),
    }


def test_attachment_inline_stores_a_valid_file_with_its_metadata(
    reviewer_client, theme, media_root
):
    practice = practice_in(ReviewStatus.SUBMITTED)

    response = reviewer_client.post(
        reverse("admin:practices_practice_change", args=[practice.pk]),
        form_data(
            slug=practice.slug,
            themes=[theme.pk],
            municipalities=[m.pk for m in practice.municipalities.all()],
            **attachment_data("Ordenanza 12.pdf", PDF),
        ),
    )

    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert (attachment.practice, attachment.original_name, attachment.content_type) == (
        practice,
        "Ordenanza 12.pdf",
        "application/pdf",
    )
    assert attachment.size == len(PDF)
    assert (media_root / attachment.file.name).read_bytes() == PDF


def test_a_stored_attachment_links_to_its_download_view_not_to_media(
    reviewer_client, theme, media_root
):
    practice = practice_in(ReviewStatus.SUBMITTED)
    reviewer_client.post(
        reverse("admin:practices_practice_change", args=[practice.pk]),
        form_data(
            slug=practice.slug,
            themes=[theme.pk],
            municipalities=[m.pk for m in practice.municipalities.all()],
            **attachment_data("Ordenanza 12.pdf", PDF),
        ),
    )
    attachment = Attachment.objects.get()

    page = reviewer_client.get(reverse("admin:practices_practice_change", args=[practice.pk]))

    html = page.content.decode()
    download = reverse("practices:attachment-download", args=[attachment.pk])
    assert f'<a href="{download}">Ordenanza 12.pdf</a>' in html
    assert attachment.file.name not in html
    # The link works for the reviewer (the practice is not published).
    assert b"".join(reviewer_client.get(download).streaming_content) == PDF


def test_uploaded_files_are_not_served_from_media_even_in_debug(settings):
    import importlib

    import portal.urls

    settings.DEBUG = True
    try:
        urls = importlib.reload(portal.urls)
        with pytest.raises(Resolver404):
            resolve(f"/{settings.MEDIA_URL}practices/0123456789abcdef.pdf", urlconf=urls)
    finally:
        settings.DEBUG = False
        importlib.reload(portal.urls)


def test_attachment_inline_refuses_a_file_whose_bytes_do_not_match(
    reviewer_client, theme, media_root
):
    practice = practice_in(ReviewStatus.SUBMITTED)

    response = reviewer_client.post(
        reverse("admin:practices_practice_change", args=[practice.pk]),
        form_data(
            slug=practice.slug,
            title="Título que no debe guardarse",
            themes=[theme.pk],
            municipalities=[m.pk for m in practice.municipalities.all()],
            **attachment_data("informe.pdf", PNG),
        ),
    )

    assert response.status_code == 200
    [inline_errors] = [
        form.errors
        for formset in response.context["inline_admin_formsets"]
        for form in formset.formset.forms
        if form.errors
    ]
    assert inline_errors == {
        "file": [
            spanish("The file's content is %(type)s but its name ends in “%(extension)s”.")
            % {"type": "PNG", "extension": ".pdf"}
        ]
    }
    assert not Attachment.objects.exists()
    assert list(media_root.rglob("*.*")) == []
    assert Practice.objects.get(pk=practice.pk).title == practice.title


def test_change_form_links_to_the_review_screen(reviewer_client):
    practice = practice_in(ReviewStatus.SUBMITTED)

    response = reviewer_client.get(reverse("admin:practices_practice_change", args=[practice.pk]))

    assert f'href="/admin/practices/practice/{practice.pk}/review/"' in response.content.decode()


# Review actions ----------------------------------------------------------------------------


def run_action(client, action, practices, **extra):
    return client.post(
        reverse("admin:practices_practice_changelist"),
        {"action": action, "_selected_action": [p.pk for p in practices], **extra},
    )


def test_publish_action_publishes_what_it_can_and_explains_the_rest(
    reviewer_client, django_capture_on_commit_callbacks
):
    ready = practice_in(ReviewStatus.SUBMITTED, title="Lista")
    draft = practice_in(ReviewStatus.DRAFT, title="Borrador")

    with django_capture_on_commit_callbacks(execute=True):
        response = run_action(reviewer_client, "publish_selected", [ready, draft])

    assert response.status_code == 302
    assert Practice.objects.get(pk=ready.pk).status == ReviewStatus.PUBLISHED
    assert Practice.objects.get(pk=draft.pk).status == ReviewStatus.DRAFT
    with override("es"):
        refusal = gettext("A practice cannot go from “%(source)s” to “%(target)s”.") % {
            "source": ReviewStatus.DRAFT.label,
            "target": ReviewStatus.PUBLISHED.label,
        }
    assert sorted(message_texts(response)) == sorted(
        [
            spanish("“%(title)s” is published.") % {"title": "Lista"},
            spanish("“%(title)s” was not changed: %(reason)s")
            % {"title": "Borrador", "reason": refusal},
        ]
    )
    assert [m.to for m in mail.outbox] == [[ready.submitted_by.email]]


def test_archive_action_archives_published_practices(reviewer_client):
    published = practice_in(ReviewStatus.PUBLISHED, title="Publicada")

    response = run_action(reviewer_client, "archive_selected", [published])

    assert Practice.objects.get(pk=published.pk).status == ReviewStatus.ARCHIVED
    assert message_texts(response) == [spanish("“%(title)s” is archived.") % {"title": "Publicada"}]


def test_request_changes_action_asks_for_a_comment_first(reviewer_client):
    practice = practice_in(ReviewStatus.SUBMITTED)

    response = run_action(reviewer_client, "request_changes_selected", [practice])

    assert response.status_code == 200
    assert response.templates[0].name == "admin/practices/practice/request_changes.html"
    assert practice.title in response.content.decode()
    assert Practice.objects.get(pk=practice.pk).status == ReviewStatus.SUBMITTED


def test_request_changes_action_without_comment_changes_nothing(reviewer_client):
    practice = practice_in(ReviewStatus.SUBMITTED)

    response = run_action(
        reviewer_client, "request_changes_selected", [practice], apply="yes", comment=" "
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"comment": [spanish("This field is required.")]}
    assert Practice.objects.get(pk=practice.pk).status == ReviewStatus.SUBMITTED
    assert not ReviewLogEntry.objects.exists()


def test_request_changes_action_applies_the_comment_and_emails_it(
    reviewer_client, reviewer, django_capture_on_commit_callbacks
):
    practice = practice_in(ReviewStatus.SUBMITTED, title="Ventanilla")

    with django_capture_on_commit_callbacks(execute=True):
        response = run_action(
            reviewer_client,
            "request_changes_selected",
            [practice],
            apply="yes",
            comment="Falta el número de la ordenanza.",
        )

    assert response.status_code == 302
    entry = ReviewLogEntry.objects.get()
    assert (entry.practice, entry.actor, entry.to_status, entry.comment) == (
        practice,
        reviewer,
        ReviewStatus.CHANGES_REQUESTED,
        "Falta el número de la ordenanza.",
    )
    [message] = mail.outbox
    assert "Falta el número de la ordenanza." in message.body
    assert message_texts(response) == [
        spanish("Changes requested for “%(title)s”.") % {"title": "Ventanilla"}
    ]


def test_review_actions_are_not_offered_without_change_permission(client):
    viewer = grant(StaffUserFactory(), "view_practice")
    client.force_login(viewer)
    practice = practice_in(ReviewStatus.SUBMITTED)

    response = client.get(reverse("admin:practices_practice_changelist"))
    run_action(client, "publish_selected", [practice])

    # No action at all is offered to a viewer (there is no form to choose one).
    assert response.context["action_form"] is None
    assert Practice.objects.get(pk=practice.pk).status == ReviewStatus.SUBMITTED


# The review screen ---------------------------------------------------------------------------


def review_url(practice):
    return reverse("admin:practices_practice_review", args=[practice.pk])


def test_review_screen_shows_the_log_and_offers_only_allowed_decisions(reviewer_client, reviewer):
    practice = practice_in(ReviewStatus.SUBMITTED)
    ReviewLogEntry.objects.create(
        practice=practice,
        actor=practice.submitted_by,
        from_status=ReviewStatus.DRAFT,
        to_status=ReviewStatus.SUBMITTED,
        comment="Lista para revisión.",
    )

    response = reviewer_client.get(review_url(practice))

    assert response.status_code == 200
    assert [entry.comment for entry in response.context["review_log"]] == ["Lista para revisión."]
    assert "Lista para revisión." in response.content.decode()
    assert {decision.target for decision in response.context["decisions"]} == {
        ReviewStatus.CHANGES_REQUESTED,
        ReviewStatus.PUBLISHED,
        ReviewStatus.WITHDRAWN,
    }
    assert 'name="decision" value="published"' in response.content.decode()


def test_review_screen_decision_moves_the_practice_and_logs_the_comment(reviewer_client, reviewer):
    practice = practice_in(ReviewStatus.SUBMITTED)

    response = reviewer_client.post(
        review_url(practice), {"decision": "published", "comment": "Excelente documentación."}
    )

    assert response.status_code == 302
    assert response["Location"] == review_url(practice)
    entry = ReviewLogEntry.objects.get()
    assert (entry.actor, entry.from_status, entry.to_status, entry.comment) == (
        reviewer,
        ReviewStatus.SUBMITTED,
        ReviewStatus.PUBLISHED,
        "Excelente documentación.",
    )


def test_review_screen_refuses_a_decision_not_offered(reviewer_client):
    practice = practice_in(ReviewStatus.SUBMITTED)

    response = reviewer_client.post(review_url(practice), {"decision": "archived", "comment": ""})

    assert response.status_code == 200
    assert message_texts(response) == [spanish("Choose one of the decisions offered.")]
    assert Practice.objects.get(pk=practice.pk).status == ReviewStatus.SUBMITTED
    assert not ReviewLogEntry.objects.exists()


def test_review_screen_shows_why_a_decision_failed(reviewer_client):
    practice = practice_in(ReviewStatus.SUBMITTED)
    practice.themes.clear()

    response = reviewer_client.post(review_url(practice), {"decision": "published", "comment": ""})

    assert response.status_code == 200
    assert message_texts(response) == [
        spanish("A practice needs at least one theme before it is published.")
    ]
    assert Practice.objects.get(pk=practice.pk).status == ReviewStatus.SUBMITTED


def test_review_screen_is_forbidden_without_change_permission(client):
    client.force_login(grant(StaffUserFactory(), "view_practice"))
    practice = practice_in(ReviewStatus.SUBMITTED)

    get = client.get(review_url(practice))
    post = client.post(review_url(practice), {"decision": "published"})

    assert (get.status_code, post.status_code) == (403, 403)
    assert Practice.objects.get(pk=practice.pk).status == ReviewStatus.SUBMITTED


def test_review_screen_is_closed_to_non_staff(client):
    practice = practice_in(ReviewStatus.SUBMITTED)
    client.force_login(practice.submitted_by)

    response = client.post(review_url(practice), {"decision": "withdrawn"})

    assert response.status_code == 302  # to the sign-in page: the admin is staff only
    assert Practice.objects.get(pk=practice.pk).status == ReviewStatus.SUBMITTED


# Taxonomies ---------------------------------------------------------------------------------


def test_theme_names_are_editable_in_both_languages(reviewer_client, theme):
    response = reviewer_client.post(
        reverse("admin:practices_theme_change", args=[theme.pk]),
        {
            "name_es": "Protección de la niñez",
            "name_en": "Child protection",
            "slug": theme.slug,
            "position": theme.position,
        },
    )

    assert response.status_code == 302
    theme.refresh_from_db()
    assert (theme.name_es, theme.name_en) == ("Protección de la niñez", "Child protection")


@pytest.mark.parametrize(
    "name", ["practices_theme", "practices_gcmobjective", "practices_gcmprinciple"]
)
def test_taxonomy_changelists_list_the_loaded_rows(admin_client, name):
    response = admin_client.get(reverse(f"admin:{name}_changelist"))

    assert response.status_code == 200
    assert (
        response.context["cl"].result_count
        == {
            "practices_theme": 13,
            "practices_gcmobjective": 23,
            "practices_gcmprinciple": 10,
        }[name]
    )


def test_change_form_shows_stored_attachments_without_letting_their_file_be_swapped(
    reviewer_client, reviewer
):
    practice = practice_in(ReviewStatus.SUBMITTED)
    attachment_add(
        practice=practice,
        uploaded_file=SimpleUploadedFile("acta.pdf", PDF),
        title="Acta",
        kind=AttachmentKind.REPORT,
        actor=reviewer,
    )

    response = reviewer_client.get(reverse("admin:practices_practice_change", args=[practice.pk]))

    [attachment_formset] = [
        inline.formset
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.model is Attachment
    ]
    [form] = attachment_formset.initial_forms
    assert form.fields["file"].disabled is True
    assert "acta.pdf" in response.content.decode()


def test_add_form_renders(reviewer_client):
    response = reviewer_client.get(reverse("admin:practices_practice_add"))

    assert response.status_code == 200
    assert {
        inline.formset.model.__name__ for inline in response.context["inline_admin_formsets"]
    } == {
        "LegalEvidence",
        "Replication",
        "Attachment",
    }
