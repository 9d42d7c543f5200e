"""The e-mails about sessions: minutes circulated to the participants, agreements overdue to
the coordinators of the sessions' networks.

Each message is written in its recipient's language (``common.mail``): an account's
``language`` when the person has one, else Spanish, the portal's default. These functions
only read and send; what they send is decided and recorded by ``conferences/services.py``
(``minutes_circulate``, ``agreements_notify_overdue``).
"""

from typing import NamedTuple

from django.urls import reverse
from django.utils import translation

from common.mail import language_of, send_message, send_to_user, site_url
from networks import access
from networks.models import Network

from .models import Minutes, Participation, Session

MINUTES_CIRCULATED = "conferences/email/minutes_circulated"
AGREEMENTS_OVERDUE = "conferences/email/agreements_overdue"


# Minutes circulated ---------------------------------------------------------------------------


def minutes_recipients(minutes: Minutes) -> list:
    """The session's participants with an e-mail address, each once, by name."""
    participations = (
        Participation.objects.filter(session_id=minutes.session_id)
        .exclude(person__email="")
        .select_related("person__user")
        .order_by("person__last_name", "person__first_name", "pk")
    )
    seen, people = set(), []
    for participation in participations:
        address = participation.person.email.lower()
        if address not in seen:
            seen.add(address)
            people.append(participation.person)
    return people


def send_minutes_circulated(*, minutes_pk: int) -> int:
    """Send the circulated minutes to every participant with an address; how many were sent."""
    minutes = Minutes.objects.select_related("session").get(pk=minutes_pk)
    people = minutes_recipients(minutes)
    for person in people:
        # A person without an account reads Spanish, the portal's default.
        send_message(
            MINUTES_CIRCULATED,
            {"person": person, "session": minutes.session, "minutes": minutes},
            to=person.email,
            language=language_of(person.user),
        )
    return len(people)


# Agreements overdue ---------------------------------------------------------------------------


class OverdueItem(NamedTuple):
    """An overdue agreement as one coordinator reads it: under a network they coordinate."""

    agreement: object
    network: Network


def overdue_digests(agreements, *, today=None) -> dict:
    """``{user: [OverdueItem, …]}``: who is told about which of ``agreements``.

    The coordinators (an open coordinating seat that has begun) of each agreement's session
    networks, with an active account and an address; users by e-mail, agreements as given.
    A constant number of queries whatever the number of agreements.
    """
    agreements = list(agreements)
    if not agreements:
        return {}
    session_networks = {}
    for session_id, network in (
        (link.session_id, link.network)
        for link in Session.networks.through.objects.filter(
            session_id__in={agreement.session_id for agreement in agreements}
        )
        .select_related("network")
        .order_by("network__name")
    ):
        session_networks.setdefault(session_id, []).append(network)
    network_ids = {network.pk for networks in session_networks.values() for network in networks}
    seats = (
        access.coordinating_seats(today=today)
        .filter(network_id__in=network_ids, person__user__is_active=True)
        .exclude(person__user__email="")
        .select_related("person__user")
    )
    coordinators = {}
    for seat in seats:
        coordinators.setdefault(seat.network_id, {})[seat.person.user.pk] = seat.person.user
    digests = {}
    for agreement in agreements:
        told = set()
        for network in session_networks.get(agreement.session_id, []):
            for user in coordinators.get(network.pk, {}).values():
                if user.pk not in told:
                    told.add(user.pk)
                    digests.setdefault(user, []).append(OverdueItem(agreement, network))
    return dict(sorted(digests.items(), key=lambda entry: entry[0].email))


def agreement_link(item: OverdueItem) -> str:
    """The agreement's page in the workspace, in the active language."""
    return site_url(
        reverse(
            "dashboard:sessions:agreement-detail",
            kwargs={"network": item.network.slug, "pk": item.agreement.pk},
        )
    )


def send_overdue_digest(*, user, agreements: list) -> None:
    """Tell ``user`` which agreements of their networks are overdue (``OverdueItem`` list)."""
    with translation.override(language_of(user)):
        items = [{"item": item, "url": agreement_link(item)} for item in agreements]
    send_to_user(AGREEMENTS_OVERDUE, {"items": items}, user=user)
