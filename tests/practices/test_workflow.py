"""The review workflow: every allowed move, every refused one, who may move what, e-mails,
and practice_save (slug, relations, search data, who may edit)."""

import itertools

import pytest
from django.contrib.auth.models import AnonymousUser, Permission
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import override

from networks.enums import MembershipRole
from practices.enums import ContentLanguage, PracticeType, ReviewStatus
from practices.models import Practice, ReviewLogEntry, Theme
from practices.search import practice_search
from practices.services import (
    TransitionNotAllowed,
    practice_archive,
    practice_delete,
    practice_publish,
    practice_reopen,
    practice_request_changes,
    practice_save,
    practice_submit,
    practice_transition,
    practice_withdraw,
)
from tests.factories import (
    MembershipFactory,
    MunicipalityFactory,
    NetworkFactory,
    PracticeFactory,
    StaffUserFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

S = ReviewStatus

# The workflow as the brief states it, written out independently of practices.workflow.
ALLOWED_MOVES = {
    (S.DRAFT, S.SUBMITTED),
    (S.CHANGES_REQUESTED, S.SUBMITTED),
    (S.SUBMITTED, S.CHANGES_REQUESTED),
    (S.SUBMITTED, S.PUBLISHED),
    (S.PUBLISHED, S.ARCHIVED),
    (S.SUBMITTED, S.WITHDRAWN),
    (S.CHANGES_REQUESTED, S.WITHDRAWN),
    (S.PUBLISHED, S.WITHDRAWN),
    (S.ARCHIVED, S.PUBLISHED),
    (S.WITHDRAWN, S.DRAFT),
}


def grant(user, *codenames):
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="practices", codename__in=codenames)
    )
    # Permissions are cached on the instance: read them again.
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def reviewer(db):
    return grant(StaffUserFactory(email="reviewer@example.org"), "change_practice")


@pytest.fixture
def home_network(db):
    return NetworkFactory(name="Mesa Trifinio")


@pytest.fixture
def submitter(home_network):
    """The coordinator of the network who proposed the practices of ``make_practice``."""
    user = UserFactory(email="coordinator@example.org")
    MembershipFactory(person__user=user, network=home_network, role=MembershipRole.COORDINATOR)
    return user


@pytest.fixture
def make_practice(submitter, home_network):
    """A practice of ``home_network`` in ``status`` with a theme and a municipality, so it
    can be published."""

    def make(status=S.DRAFT, **kwargs):
        kwargs.setdefault("submitted_by", submitter)
        kwargs.setdefault("network", home_network)
        if status in {S.PUBLISHED, S.ARCHIVED, S.WITHDRAWN}:
            kwargs.setdefault("published_at", timezone.now() if status != S.WITHDRAWN else None)
        return PracticeFactory(
            status=status,
            themes=[Theme.objects.order_by("position").first()],
            municipalities=[MunicipalityFactory()],
            **kwargs,
        )

    return make


def english(error):
    with override("en"):
        return error.messages if isinstance(error, ValidationError) else [str(error)]


# Allowed moves -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "service", "target", "actor"),
    [
        (S.DRAFT, practice_submit, S.SUBMITTED, "submitter"),
        (S.CHANGES_REQUESTED, practice_submit, S.SUBMITTED, "submitter"),
        (S.SUBMITTED, practice_request_changes, S.CHANGES_REQUESTED, "reviewer"),
        (S.SUBMITTED, practice_publish, S.PUBLISHED, "reviewer"),
        (S.PUBLISHED, practice_archive, S.ARCHIVED, "reviewer"),
        (S.SUBMITTED, practice_withdraw, S.WITHDRAWN, "submitter"),
        (S.CHANGES_REQUESTED, practice_withdraw, S.WITHDRAWN, "submitter"),
        (S.PUBLISHED, practice_withdraw, S.WITHDRAWN, "reviewer"),
        (S.ARCHIVED, practice_publish, S.PUBLISHED, "reviewer"),
        (S.WITHDRAWN, practice_reopen, S.DRAFT, "submitter"),
    ],
)
def test_allowed_move_changes_status_and_logs_it(
    make_practice, reviewer, submitter, source, service, target, actor
):
    practice = make_practice(source)
    user = reviewer if actor == "reviewer" else submitter

    service(practice=practice, actor=user, comment="  Motivo de la decisión  ")

    practice.refresh_from_db()
    assert practice.status == target
    assert [
        (entry.actor, entry.from_status, entry.to_status, entry.comment)
        for entry in ReviewLogEntry.objects.filter(practice=practice)
    ] == [(user, source, target, "Motivo de la decisión")]


@pytest.mark.parametrize(
    ("source", "service"),
    [
        (S.DRAFT, practice_submit),
        (S.CHANGES_REQUESTED, practice_submit),
        (S.SUBMITTED, practice_withdraw),
        (S.WITHDRAWN, practice_reopen),
    ],
)
def test_reviewer_may_make_the_submitters_moves(make_practice, reviewer, source, service):
    practice = make_practice(source)

    service(practice=practice, actor=reviewer)

    assert ReviewLogEntry.objects.get(practice=practice).actor == reviewer


@pytest.mark.parametrize(("source", "target"), list(itertools.product(S.values, S.values)))
def test_workflow_allows_exactly_the_listed_moves(make_practice, reviewer, source, target):
    practice = make_practice(source)

    if (source, target) in ALLOWED_MOVES:
        practice_transition(practice=practice, to_status=target, actor=reviewer, comment="ok")
        practice.refresh_from_db()
        assert practice.status == target
        assert ReviewLogEntry.objects.filter(practice=practice).count() == 1
    else:
        with pytest.raises(TransitionNotAllowed):
            practice_transition(practice=practice, to_status=target, actor=reviewer, comment="x")
        practice.refresh_from_db()
        assert practice.status == source
        assert not ReviewLogEntry.objects.filter(practice=practice).exists()


@pytest.mark.parametrize(
    ("source", "service", "message"),
    [
        (S.DRAFT, practice_publish, "A practice cannot go from “Draft” to “Published”."),
        (S.DRAFT, practice_archive, "A practice cannot go from “Draft” to “Archived”."),
        (S.PUBLISHED, practice_submit, "A practice cannot go from “Published” to “Submitted”."),
        (S.WITHDRAWN, practice_publish, "A practice cannot go from “Withdrawn” to “Published”."),
        (S.SUBMITTED, practice_archive, "A practice cannot go from “Submitted” to “Archived”."),
    ],
)
def test_illegal_move_is_refused_with_a_message_naming_both_states(
    make_practice, reviewer, source, service, message
):
    practice = make_practice(source)

    with pytest.raises(TransitionNotAllowed) as error:
        service(practice=practice, actor=reviewer, comment="x")

    assert english(error.value) == [message]
    practice.refresh_from_db()
    assert practice.status == source
    assert not ReviewLogEntry.objects.exists()
    assert mail.outbox == []


# Who may move what -------------------------------------------------------------------------


def test_a_coordinator_of_another_network_cannot_submit_the_practice(make_practice):
    practice = make_practice(S.DRAFT)
    other = MembershipFactory(
        network=NetworkFactory(), role=MembershipRole.COORDINATOR, person__user=UserFactory()
    ).person.user

    with pytest.raises(PermissionDenied):
        practice_submit(practice=practice, actor=other)

    practice.refresh_from_db()
    assert practice.status == S.DRAFT
    assert not ReviewLogEntry.objects.exists()


def test_the_co_coordinator_of_the_network_may_submit_the_practice(make_practice, home_network):
    # The network's coordinators share its practices, whoever of them drafted one.
    practice = make_practice(S.DRAFT)
    colleague = MembershipFactory(
        network=home_network, role=MembershipRole.CO_COORDINATOR, person__user=UserFactory()
    ).person.user

    practice_submit(practice=practice, actor=colleague)

    practice.refresh_from_db()
    assert practice.status == S.SUBMITTED


def test_a_submitter_whose_seat_ended_may_no_longer_move_the_practice(make_practice, submitter):
    practice = make_practice(S.DRAFT)
    submitter.person.memberships.update(end_date=timezone.localdate())

    with pytest.raises(PermissionDenied):
        practice_submit(practice=practice, actor=type(submitter).objects.get(pk=submitter.pk))

    practice.refresh_from_db()
    assert practice.status == S.DRAFT


@pytest.mark.parametrize("who", ["anonymous", "none"])
def test_anonymous_visitor_cannot_move_a_practice(make_practice, who):
    practice = make_practice(S.DRAFT)
    user = AnonymousUser() if who == "anonymous" else None

    with pytest.raises(PermissionDenied):
        practice_submit(practice=practice, actor=user)

    practice.refresh_from_db()
    assert practice.status == S.DRAFT


def test_deactivated_submitter_cannot_submit(make_practice, submitter):
    practice = make_practice(S.DRAFT)
    submitter.is_active = False
    submitter.save()

    with pytest.raises(PermissionDenied):
        practice_submit(practice=practice, actor=submitter)

    assert Practice.objects.get(pk=practice.pk).status == S.DRAFT


def test_deactivated_reviewer_cannot_publish(make_practice, reviewer):
    practice = make_practice(S.SUBMITTED)
    reviewer.is_active = False
    reviewer.save()

    with pytest.raises(PermissionDenied):
        practice_publish(practice=practice, actor=reviewer)

    assert Practice.objects.get(pk=practice.pk).status == S.SUBMITTED


def test_staff_without_change_permission_cannot_publish(make_practice):
    practice = make_practice(S.SUBMITTED)
    staff = grant(StaffUserFactory(), "view_practice")

    with pytest.raises(PermissionDenied) as error:
        practice_publish(practice=practice, actor=staff)

    # Raised while Spanish is active: the message is already in the user's language.
    assert str(error.value) == (
        f"No tiene permiso para pasar «{practice.title}» de «Enviada» a «Publicada»."
    )
    assert Practice.objects.get(pk=practice.pk).status == S.SUBMITTED
    assert not ReviewLogEntry.objects.exists()


def test_change_permission_without_staff_status_does_not_make_a_reviewer(make_practice):
    practice = make_practice(S.SUBMITTED)
    user = grant(UserFactory(), "change_practice")

    with pytest.raises(PermissionDenied):
        practice_publish(practice=practice, actor=user)


@pytest.mark.parametrize(
    ("source", "service"),
    [
        (S.SUBMITTED, practice_publish),
        (S.SUBMITTED, practice_request_changes),
        (S.PUBLISHED, practice_archive),
        (S.PUBLISHED, practice_withdraw),
        (S.ARCHIVED, practice_publish),
    ],
)
def test_submitter_cannot_take_reviewer_decisions_on_own_practice(
    make_practice, submitter, source, service
):
    practice = make_practice(source)

    with pytest.raises(PermissionDenied):
        service(practice=practice, actor=submitter, comment="Lo apruebo yo")

    assert Practice.objects.get(pk=practice.pk).status == source
    assert not ReviewLogEntry.objects.exists()


# Rules of particular moves --------------------------------------------------------------


def test_first_publication_sets_published_at_and_republishing_keeps_it(make_practice, reviewer):
    practice = make_practice(S.SUBMITTED)

    practice_publish(practice=practice, actor=reviewer)
    first = Practice.objects.get(pk=practice.pk).published_at
    practice_archive(practice=practice, actor=reviewer)
    practice_publish(practice=practice, actor=reviewer)

    practice.refresh_from_db()
    assert first is not None
    assert practice.published_at == first
    assert practice.status == S.PUBLISHED


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("themes", "A practice needs at least one theme before it is published."),
        ("municipalities", "A practice needs at least one municipality before it is published."),
    ],
)
def test_publishing_needs_a_theme_and_a_municipality(make_practice, reviewer, missing, message):
    practice = make_practice(S.SUBMITTED)
    getattr(practice, missing).clear()

    with pytest.raises(ValidationError) as error:
        practice_publish(practice=practice, actor=reviewer)

    with override("en"):
        assert error.value.message_dict == {missing: [message]}
    practice.refresh_from_db()
    assert (practice.status, practice.published_at) == (S.SUBMITTED, None)
    assert not ReviewLogEntry.objects.exists()


def test_requesting_changes_without_a_comment_is_refused(make_practice, reviewer):
    practice = make_practice(S.SUBMITTED)

    with pytest.raises(ValidationError) as error:
        practice_request_changes(practice=practice, actor=reviewer, comment="   ")

    assert list(error.value.message_dict) == ["comment"]
    assert Practice.objects.get(pk=practice.pk).status == S.SUBMITTED


def test_caller_instance_follows_the_move(make_practice, reviewer):
    practice = make_practice(S.SUBMITTED)

    returned = practice_publish(practice=practice, actor=reviewer)

    assert returned is practice
    assert practice.status == S.PUBLISHED
    assert practice.published_at is not None


# E-mails to the submitter -----------------------------------------------------------------


def test_request_changes_emails_the_submitter_with_the_comment(
    make_practice, reviewer, submitter, django_capture_on_commit_callbacks
):
    practice = make_practice(S.SUBMITTED, title="Ordenanza de movilidad humana")

    with django_capture_on_commit_callbacks(execute=True):
        practice_request_changes(
            practice=practice, actor=reviewer, comment="Añadan el número de la ordenanza."
        )

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [submitter.email]
    assert "Ordenanza de movilidad humana" in message.subject
    assert "Ordenanza de movilidad humana" in message.body
    assert "Añadan el número de la ordenanza." in message.body
    # The submitter coordinates the network: the link is the practice's workspace page.
    assert f"/dashboard/networks/{practice.network.slug}/practices/{practice.pk}/" in message.body
    assert "/admin/" not in message.body


def test_publication_email_is_in_the_submitters_language_and_links_the_public_page(
    make_practice, reviewer, submitter, django_capture_on_commit_callbacks
):
    # The recipient's language decides, not the practice's.
    submitter.language = "en"
    submitter.save()
    practice = make_practice(
        S.SUBMITTED, title="Ventanilla fronteriza", language=ContentLanguage.SPANISH
    )

    with django_capture_on_commit_callbacks(execute=True):
        practice_publish(practice=practice, actor=reviewer, comment="Well documented & clear.")

    [message] = mail.outbox
    assert message.subject == "[Portal de redes] “Ventanilla fronteriza” is published"
    assert "Well documented & clear." in message.body
    assert f"/en/practices/{practice.slug}/" in message.body


@pytest.mark.parametrize(
    ("source", "service"),
    [(S.PUBLISHED, practice_archive), (S.PUBLISHED, practice_withdraw)],
)
def test_other_reviewer_decisions_email_the_submitter(
    make_practice, reviewer, submitter, django_capture_on_commit_callbacks, source, service
):
    practice = make_practice(source)

    with django_capture_on_commit_callbacks(execute=True):
        service(practice=practice, actor=reviewer, comment="Información desactualizada.")

    assert [(m.to, "Información desactualizada." in m.body) for m in mail.outbox] == [
        ([submitter.email], True)
    ]


@pytest.mark.parametrize(
    ("source", "service"),
    [(S.DRAFT, practice_submit), (S.SUBMITTED, practice_withdraw), (S.WITHDRAWN, practice_reopen)],
)
def test_submitters_own_moves_send_no_email(
    make_practice, submitter, django_capture_on_commit_callbacks, source, service
):
    practice = make_practice(source)

    with django_capture_on_commit_callbacks(execute=True):
        service(practice=practice, actor=submitter)

    assert mail.outbox == []


def test_refused_decision_sends_no_email(
    make_practice, reviewer, django_capture_on_commit_callbacks
):
    practice = make_practice(S.SUBMITTED)
    practice.themes.clear()

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        practice_publish(practice=practice, actor=reviewer)

    assert mail.outbox == []


# practice_save ----------------------------------------------------------------------------


@pytest.fixture
def coordinator(db):
    """A coordinator of one network (not staff): may propose practices for it."""
    membership = MembershipFactory(role=MembershipRole.COORDINATOR, person__user=UserFactory())
    return membership.person.user, membership.network


def new_practice(**kwargs):
    fields = {
        "title": "Ventanilla municipal de atención a personas retornadas",
        "summary": "Un servicio municipal.",
        "practice_type": PracticeType.PUBLIC_SERVICE,
    }
    return Practice(**{**fields, **kwargs})


def test_practice_save_creates_a_draft_with_slug_relations_and_search_data(coordinator):
    user, network = coordinator
    theme = Theme.objects.order_by("position").first()
    municipality = MunicipalityFactory(name="Esquipulas")

    practice = practice_save(
        practice=new_practice(network=network, status=S.PUBLISHED),
        actor=user,
        themes=[theme],
        municipalities=[municipality],
    )

    practice.refresh_from_db()
    assert practice.slug == "ventanilla-municipal-de-atencion-a-personas-retornadas"
    assert (practice.status, practice.published_at) == (S.DRAFT, None)
    assert practice.submitted_by == user
    assert list(practice.themes.all()) == [theme]
    assert list(practice.municipalities.all()) == [municipality]
    assert list(practice_search(Practice.objects.all(), "retornadas")) == [practice]


def test_practice_save_makes_the_slug_unique(coordinator):
    user, network = coordinator

    first = practice_save(practice=new_practice(network=network), actor=user)
    second = practice_save(practice=new_practice(network=network), actor=user)

    assert second.slug == f"{first.slug}-2"


def test_practice_save_refuses_invalid_data_and_stores_nothing(coordinator):
    user, network = coordinator

    with pytest.raises(ValidationError) as error:
        practice_save(
            practice=new_practice(network=network, practice_type="not-a-type"), actor=user
        )

    assert list(error.value.message_dict) == ["practice_type"]
    assert not Practice.objects.exists()


def test_practice_save_never_changes_the_status(make_practice, reviewer):
    practice = make_practice(S.SUBMITTED)
    practice.status = S.PUBLISHED
    practice.title = "Nuevo título"

    practice_save(practice=practice, actor=reviewer)

    practice.refresh_from_db()
    assert (practice.title, practice.status, practice.published_at) == (
        "Nuevo título",
        S.SUBMITTED,
        None,
    )


def test_practice_save_updates_the_search_data(make_practice, reviewer):
    practice = make_practice(S.SUBMITTED)
    practice.body = "Incluye intérpretes de lenguas mayas."

    practice_save(practice=practice, actor=reviewer)

    assert list(practice_search(Practice.objects.all(), "interpretes")) == [practice]


def test_user_who_coordinates_nothing_cannot_add_a_practice():
    with pytest.raises(PermissionDenied):
        practice_save(practice=new_practice(), actor=UserFactory())

    assert not Practice.objects.exists()


def test_coordinator_cannot_file_a_practice_under_another_network(coordinator):
    user, _network = coordinator

    with pytest.raises(ValidationError) as error:
        practice_save(practice=new_practice(network=NetworkFactory()), actor=user)

    assert list(error.value.message_dict) == ["network"]
    assert not Practice.objects.exists()


@pytest.mark.parametrize(
    ("status", "may_edit"),
    [
        (S.DRAFT, True),
        (S.CHANGES_REQUESTED, True),
        (S.SUBMITTED, False),
        (S.PUBLISHED, False),
        (S.ARCHIVED, False),
        (S.WITHDRAWN, False),
    ],
)
def test_submitter_edits_only_drafts_and_practices_sent_back(
    make_practice, submitter, status, may_edit
):
    practice = make_practice(status)
    practice.title = "Editado por quien la propuso"

    if may_edit:
        practice_save(practice=practice, actor=submitter)
    else:
        with pytest.raises(PermissionDenied):
            practice_save(practice=practice, actor=submitter)

    assert (Practice.objects.get(pk=practice.pk).title == practice.title) is may_edit


def test_a_coordinator_of_another_network_cannot_edit_the_practice(make_practice, coordinator):
    user, _network = coordinator
    practice = make_practice(S.DRAFT)
    practice.title = "Cambiado"

    with pytest.raises(PermissionDenied):
        practice_save(practice=practice, actor=user)

    assert Practice.objects.get(pk=practice.pk).title != "Cambiado"


def test_practice_titled_like_a_reserved_path_gets_another_slug(db):
    staff = grant(StaffUserFactory(email="editor@example.org"), "add_practice")
    practice = Practice(title="Feed", summary="Resumen", practice_type=PracticeType.OTHER)

    practice_save(practice=practice, actor=staff)

    assert practice.slug == "feed-2"


def test_reserved_slug_typed_by_hand_is_refused():
    practice = Practice(
        title="Boletín", slug="feed", summary="Resumen", practice_type=PracticeType.OTHER
    )

    with pytest.raises(ValidationError) as error:
        practice.full_clean(exclude=["themes", "municipalities"])

    assert list(error.value.message_dict) == ["slug"]


# Deleting -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("status", "may_delete"), [(S.DRAFT, True), (S.SUBMITTED, False)])
def test_the_networks_coordinator_deletes_only_a_draft(
    make_practice, submitter, status, may_delete
):
    practice = make_practice(status)

    if may_delete:
        practice_delete(practice=practice, actor=submitter)
    else:
        with pytest.raises(PermissionDenied):
            practice_delete(practice=practice, actor=submitter)

    assert Practice.objects.filter(pk=practice.pk).exists() is not may_delete
