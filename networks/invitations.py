"""Invitations to the portal: how a person of the registry gets an account.

allauth has no invitations (sign-up is closed: ``accounts.adapters.AccountAdapter``), so
they are a small model of our own (``networks.models.Invitation``) and these services.
IOM staff invite anyone their ``networks.add_invitation`` permission reaches; a coordinator
invites the people with an open seat in a network they coordinate (``networks.access``).

The e-mail carries a single-use link valid ``INVITATION_VALID_DAYS`` days. Only the SHA-256
of its random key is stored: the raw key exists in the e-mail and, for "copy the link", on
the returned invitation's ``link`` (shown once to whoever made it). Following the link, the
person chooses a password; the account is created with its address verified and linked to
the person (``invitation_accept``). An address that already has an account is linked to the
person at once, and told so, instead of receiving a link.

Refusals the caller reports: ``PermissionDenied`` (outside the actor's scope), and
``ValidationError`` with one of the codes below (``error.code``).
"""

from __future__ import annotations

import datetime
import hashlib
import secrets

from allauth.account.internal.flows.login import record_authentication
from allauth.account.models import EmailAddress
from allauth.account.utils import perform_login
from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from accounts.models import User
from common.audit import account_of, acting_as, write_service
from common.mail import send_message, send_to_user, site_url

from . import access
from .models import Invitation, InvitationStatus, Membership, Network, Person
from .services import person_save

#: ``ValidationError.code`` of each refusal of ``invitation_send`` (and resend/regenerate).
NO_EMAIL = "no_email"  # the person has no e-mail address on record
HAS_ACCOUNT = "has_account"  # the person has an account already
ACCOUNT_UNAVAILABLE = "account_unavailable"  # the address's account is another person's, or off
NOT_SEATED = "not_seated"  # the person has no open seat in the network named
CLOSED = "closed"  # the invitation was accepted or revoked

#: Why a link does not work (``InvalidInvitation.reason``): the statuses, and these two.
UNKNOWN = "unknown"
ACCOUNT_EXISTS = "account_exists"

#: The reason recorded in the audit trail for the writes of someone accepting an invitation.
ACCEPT_REASON = "invitation"

_KEY_MAX_LENGTH = 100


class InvalidInvitation(Exception):
    """The link's key names no usable invitation; ``reason`` says why (unknown, expired,
    revoked, accepted, account_exists)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


# Keys and links --------------------------------------------------------------------------------


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _new_key(invitation: Invitation, *, now: datetime.datetime) -> str:
    """A fresh key for ``invitation`` (any earlier link stops working) and a new deadline."""
    key = secrets.token_urlsafe(32)
    invitation.key_hash = key_hash(key)
    invitation.expires_at = now + datetime.timedelta(days=settings.INVITATION_VALID_DAYS)
    invitation.link = invitation_link(invitation, key)
    return key


def invitation_link(invitation: Invitation, key: str) -> str:
    """The absolute link of ``key``, in the invitation's language (``/en/…`` for English)."""
    with translation.override(invitation.language):
        path = reverse("invitations:accept", kwargs={"key": key})
    return site_url(path)


def _language(language: str | None) -> str:
    """A language of the portal: ``language``, else the one active now (the inviter's)."""
    try:
        return translation.get_supported_language_variant(
            language or translation.get_language() or settings.LANGUAGE_CODE
        )
    except LookupError:
        return settings.LANGUAGE_CODE


# Who may invite whom ---------------------------------------------------------------------------


def account_with_email(email: str) -> User | None:
    """The account whose sign-in address, or a verified added address, is ``email`` (any case)."""
    user = User.objects.filter(email__iexact=email).first()
    if user is not None:
        return user
    address = (
        EmailAddress.objects.filter(email__iexact=email, verified=True)
        .select_related("user")
        .first()
    )
    return address.user if address else None


def _invitation_network(person: Person, actor, network: Network | None) -> Network | None:
    """Check that ``actor`` may invite ``person`` (for ``network``) and give the network the
    invitation is for: the one named, else one where the person has an open seat (one the
    actor coordinates, for a coordinator)."""
    seated = list(
        Network.objects.filter(
            pk__in=Membership.objects.open().filter(person=person).values("network_id")
        ).order_by("name")
    )
    staff = access.staff_may(actor, "add", Invitation)
    if not staff:
        coordinated = access.coordinated_network_ids(actor)
        seated = [n for n in seated if n.pk in coordinated]
        if not seated or (network is not None and network.pk not in {n.pk for n in seated}):
            raise PermissionDenied(
                gettext("You may invite only the people of a network you coordinate.")
            )
    if network is None:
        network = seated[0] if seated else None
    elif network.pk not in {n.pk for n in seated}:
        raise ValidationError(
            gettext("%(person)s has no open seat in %(network)s.")
            % {"person": person, "network": network},
            code=NOT_SEATED,
        )
    access.require(actor, "add", Invitation(person=person, network=network))
    return network


def _locked_person(person: Person) -> Person:
    # Locked until the transaction ends: two invitations sent at once make one.
    return Person.objects.select_for_update().get(pk=person.pk)


def _locked(invitation: Invitation) -> Invitation:
    # Only the invitation's row: PostgreSQL locks no row of an outer join (its network).
    return (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("person", "network")
        .get(pk=invitation.pk)
    )


def _require_account_free(person: Person) -> None:
    if person.user_id is not None:
        raise ValidationError(
            gettext("%(person)s already has an account.") % {"person": person},
            code=HAS_ACCOUNT,
        )


def _require_email(person: Person) -> str:
    email = person.email.strip().lower()
    if not email:
        raise ValidationError(
            gettext("%(person)s has no e-mail address on record.") % {"person": person},
            code=NO_EMAIL,
        )
    return email


# Sending -----------------------------------------------------------------------------------------


@write_service
def invitation_send(
    *, person: Person, actor, network: Network | None = None, language: str | None = None
) -> Invitation:
    """Invite ``person`` to the portal, by e-mail, for ``network`` (else one they sit in).

    ``language``: the e-mail's and the link's, by default the one active now (the inviter's).
    An open invitation of the person is replaced (new link, new deadline; the earlier link
    stops working), not duplicated. An address that already has an account is linked to the
    person instead, and told so: the result's ``linked_existing_account`` is then true. The
    result's ``link`` holds the new link (``None`` when an account was linked).
    """
    person = _locked_person(person)
    network = _invitation_network(person, actor, network)
    _require_account_free(person)
    email = _require_email(person)
    account = account_with_email(email)
    if account is not None:
        return _link_existing(person=person, account=account, network=network, actor=actor)
    now = timezone.now()
    invitation = person.invitations.open().select_for_update().first() or Invitation(
        person=person, created_at=now
    )
    invitation.email = email
    invitation.network = network
    invitation.language = _language(language)
    invitation.created_by = account_of(actor)
    key = _new_key(invitation, now=now)
    _mail_and_save(invitation, key=key, actor=actor, now=now)
    return invitation


def _mail_and_save(invitation: Invitation, *, key: str, actor, now) -> None:
    invitation.sent_at = now
    invitation.sent_count += 1
    invitation.full_clean()
    invitation.save()
    send_message(
        "networks/email/invitation",
        {
            "person": invitation.person,
            "network": invitation.network,
            "inviter": _inviter_name(actor),
            "link": invitation.link,
            "expires_at": invitation.expires_at,
        },
        to=invitation.email,
        language=invitation.language,
    )


def _inviter_name(actor) -> str:
    account = account_of(actor)
    return account.get_full_name() if account is not None else ""


def _link_existing(*, person: Person, account: User, network, actor) -> Invitation:
    """The address has an account: link it to the person and tell its owner."""
    if not account.is_active or Person.objects.filter(user=account).exists():
        raise ValidationError(
            gettext(
                "The account of %(email)s cannot be linked to %(person)s: it belongs to "
                "another person, or is deactivated."
            )
            % {"email": person.email, "person": person},
            code=ACCOUNT_UNAVAILABLE,
        )
    person.user = account
    person_save(person=person, actor=actor)
    now = timezone.now()
    invitation = person.invitations.open().select_for_update().first() or Invitation(
        person=person, created_at=now
    )
    invitation.email = account.email
    invitation.network = network
    invitation.language = account.language or settings.LANGUAGE_CODE
    invitation.created_by = account_of(actor)
    # A key nobody holds: the record tells who linked the account, no link works.
    invitation.key_hash = key_hash(secrets.token_urlsafe(32))
    invitation.expires_at = now
    invitation.sent_at = now
    invitation.sent_count += 1
    invitation.accepted_at = now
    invitation.accepted_user = account
    invitation.linked_existing_account = True
    invitation.full_clean()
    invitation.save()
    invitation.link = None
    with translation.override(invitation.language):
        sign_in = site_url(reverse("account_login"))
    send_to_user(
        "networks/email/linked",
        {
            "person": person,
            "network": network,
            "inviter": _inviter_name(actor),
            "sign_in_link": sign_in,
        },
        user=account,
    )
    return invitation


def _require_open(invitation: Invitation) -> None:
    if not invitation.is_open:
        raise ValidationError(
            gettext("The invitation of %(person)s was already accepted or revoked.")
            % {"person": invitation.person},
            code=CLOSED,
        )


def _renew(invitation: Invitation, actor) -> tuple[Invitation, str, datetime.datetime]:
    invitation = _locked(invitation)
    access.require(actor, "change", invitation)
    _require_open(invitation)
    person = _locked_person(invitation.person)
    _require_account_free(person)
    invitation.email = _require_email(person)
    now = timezone.now()
    return invitation, _new_key(invitation, now=now), now


@write_service
def invitation_resend(*, invitation: Invitation, actor) -> Invitation:
    """Mail the invitation again, with a new link valid for the full period (the earlier
    link stops working: only a hash of it is kept, so it cannot be sent twice)."""
    invitation, key, now = _renew(invitation, actor)
    _mail_and_save(invitation, key=key, actor=actor, now=now)
    return invitation


@write_service
def invitation_regenerate(*, invitation: Invitation, actor) -> Invitation:
    """A new link, valid for the full period, without e-mail: for staff to hand over when
    the mail does not get through. The earlier link stops working; the new one is on the
    result's ``link``, shown once."""
    invitation, _key, _now = _renew(invitation, actor)
    invitation.full_clean()
    invitation.save()
    return invitation


@write_service
def invitation_revoke(*, invitation: Invitation, actor) -> Invitation:
    """The link stops working for good; a new invitation can be sent later."""
    invitation = _locked(invitation)
    access.require(actor, "change", invitation)
    _require_open(invitation)
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    return invitation


# Accepting ---------------------------------------------------------------------------------------


def invitation_for_key(key: str, *, lock: bool = False) -> Invitation:
    """The invitation ``key`` opens, if it still may be accepted; else ``InvalidInvitation``."""
    if not key or len(key) > _KEY_MAX_LENGTH:
        raise InvalidInvitation(UNKNOWN)
    queryset = Invitation.objects.select_related("person", "network")
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    invitation = queryset.filter(key_hash=key_hash(key)).first()
    if invitation is None:
        raise InvalidInvitation(UNKNOWN)
    if invitation.status != InvitationStatus.PENDING:
        raise InvalidInvitation(invitation.status)
    if invitation.person.user_id is not None or account_with_email(invitation.email):
        raise InvalidInvitation(ACCOUNT_EXISTS)
    return invitation


def prospective_user(invitation: Invitation) -> User:
    """The account ``invitation`` would create (unsaved): for the password validators."""
    return User(
        email=invitation.email,
        name=invitation.person.full_name[: User._meta.get_field("name").max_length],
        language=invitation.language,
    )


def invitation_accept(*, key: str, password: str, request) -> User:
    """Create the account the invitation offers, with ``password``, and sign it in.

    In one transaction: the key is checked (``InvalidInvitation``), the password too (Django's
    validators: ``ValidationError``); the account is created with the person's name and the
    invitation's language, its address a verified primary one; the person is linked to it and
    the invitation marked accepted, so the link works once. The audit trail names the new
    account as the actor.
    """
    with transaction.atomic():
        invitation = invitation_for_key(key, lock=True)
        person = _locked_person(invitation.person)
        if person.user_id is not None:
            raise InvalidInvitation(ACCOUNT_EXISTS)
        user = prospective_user(invitation)
        password_validation.validate_password(password, user)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save()
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        with acting_as(user, ACCEPT_REASON):
            person.user = user
            person.save(update_fields=["user", "updated_at"])
            invitation.accepted_at = timezone.now()
            invitation.accepted_user = user
            invitation.save(update_fields=["accepted_at", "accepted_user"])
    # Signed in as by a password: allauth's records (reauthentication, sessions) and hooks.
    record_authentication(request, user, method="password", email=user.email)
    perform_login(request, user, email_verification=None, redirect_url=reverse("dashboard:home"))
    return user
