"""The workspace's URLs, read from the URL configuration, and a network's worth of records
to fill them: shared by the access matrix and the browser tests."""

from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from conferences.models import Challenge
from practices.enums import ReviewStatus
from practices.models import Attachment
from tests.factories import (
    AgendaItemFactory,
    AgreementFactory,
    MembershipFactory,
    MinutesFactory,
    ParticipationFactory,
    PersonFactory,
    PracticeFactory,
    SessionFactory,
    UserFactory,
)


def attachment_of(practice):
    attachment = Attachment(
        practice=practice, title="Ordenanza", original_name="o.pdf", content_type="x", size=3
    )
    attachment.file.save("o.pdf", ContentFile(b"%PDF-1.4"), save=False)
    attachment.save()
    return attachment


def records_of(network, label):
    person = PersonFactory(
        first_name=f"Nombre{label}",
        last_name=f"Apellido{label}",
        email=f"persona.{label.lower()}@privado.example",
        phone={"A": "+503 7000 1111", "B": "+504 9000 2222"}[label],
        institution__name=f"Alcaldía {label}",
    )
    membership = MembershipFactory(person=person, network=network, institution=person.institution)
    session = SessionFactory(networks=[network], title=f"Sesión {label}")
    participation = ParticipationFactory(session=session, person=person)
    practice = PracticeFactory(network=network, status=ReviewStatus.DRAFT)
    return {
        "network": network,
        "person": person,
        "membership": membership,
        "session": session,
        "participation": participation,
        "agenda item": AgendaItemFactory(session=session),
        "challenge": Challenge.objects.create(session=session, text=f"Reto {label}"),
        "minutes": MinutesFactory(session=session),
        "agreement": AgreementFactory(session=session, responsible_institution=person.institution),
        "practice": practice,
        "attachment": attachment_of(practice),
    }


def seat(network, role, **kwargs):
    user = UserFactory()
    MembershipFactory(person__user=user, network=network, role=role, **kwargs)
    return user


# The workspace's URLs --------------------------------------------------------------------------

#: (URL name, argument) -> the record (of ``_records_of``) or value that fills it. An argument
#: named alone applies to every URL of the namespace that has it.
ARGUMENTS = {
    "network": lambda r: r["network"].slug,
    "person": lambda r: r["person"].pk,
    "membership": lambda r: r["membership"].pk,
    "participation": lambda r: r["participation"].pk,
    "attachment": lambda r: r["attachment"].pk,
    "file_format": lambda r: "csv",
    "dashboard:sessions:*/pk": lambda r: r["session"].pk,
    "dashboard:sessions:agreement-detail/pk": lambda r: r["agreement"].pk,
    "dashboard:sessions:agreement-edit/pk": lambda r: r["agreement"].pk,
    "dashboard:sessions:agenda-edit/part": lambda r: r["agenda item"].pk,
    "dashboard:sessions:agenda-delete/part": lambda r: r["agenda item"].pk,
    "dashboard:sessions:challenge-edit/part": lambda r: r["challenge"].pk,
    "dashboard:sessions:challenge-delete/part": lambda r: r["challenge"].pk,
    "dashboard:practices:*/pk": lambda r: r["practice"].pk,
    "dashboard:practices:edit/step": lambda r: "about",
    "dashboard:practices:move/to": lambda r: ReviewStatus.WITHDRAWN.value,
}

#: Arguments that are not records: the same for both networks.
NOT_RECORDS = {"file_format", "step", "to"}


def workspace_url_names():
    """Every URL name under the ``dashboard`` namespace, with its arguments."""
    found = []

    def walk(resolver, namespace):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                walk(entry, f"{namespace}{entry.namespace}:" if entry.namespace else namespace)
            elif isinstance(entry, URLPattern) and namespace.startswith("dashboard:"):
                found.append((f"{namespace}{entry.name}", sorted(entry.pattern.regex.groupindex)))

    walk(get_resolver(), "")
    return found


def _argument(name, argument):
    namespace = name.rpartition(":")[0]
    for key in (f"{name}/{argument}", f"{namespace}:*/{argument}", argument):
        if key in ARGUMENTS:
            return ARGUMENTS[key]
    raise AssertionError(f"{name}: teach ARGUMENTS how to fill <{argument}>")


def url_of(name, arguments, records, *, network_of=None):
    """The URL ``name`` for ``records``; ``network_of`` puts another network's slug in it."""
    kwargs = {argument: _argument(name, argument)(records) for argument in arguments}
    if network_of is not None:
        kwargs["network"] = network_of["network"].slug
    return reverse(name, kwargs=kwargs)
