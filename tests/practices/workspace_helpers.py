"""What the tests of the workspace's practices pages share (tests/practices/test_workspace_*)."""

from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone, translation

from networks.enums import MembershipRole
from practices.demo import pdf_document
from practices.enums import ReviewStatus
from practices.models import Theme
from tests.factories import MembershipFactory, PracticeFactory, UserFactory

# A real one-page PDF: uploads are parsed whole (practices/uploads.py).
PDF = pdf_document(["Acta"])
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48


def coordinator_of(network, *, role=MembershipRole.COORDINATOR, **user_fields):
    """An account holding an open coordinating seat (or ``role``) in ``network``."""
    user = UserFactory(**user_fields)
    MembershipFactory(person__user=user, network=network, role=role)
    return user


def grant(user, *codenames):
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="practices", codename__in=codenames)
    )
    return type(user).objects.get(pk=user.pk)


def practice_of(network, status=ReviewStatus.DRAFT, **fields):
    """A practice of ``network`` in ``status``, with a theme and one of its municipalities."""
    if status in {ReviewStatus.PUBLISHED, ReviewStatus.ARCHIVED}:
        fields.setdefault("published_at", timezone.now())
    fields.setdefault("themes", [Theme.objects.order_by("position").first()])
    fields.setdefault("municipalities", list(network.municipalities.all()[:1]))
    return PracticeFactory(network=network, status=status, **fields)


def url(name, practice=None, *, network=None, **kwargs):
    """A URL of the practices pages, in English (/en/…) so the tests read the English
    source text: ``url("edit", practice, step="work")``."""
    network = network or practice.network
    names = {"network": network.slug}
    if practice is not None:
        names["pk"] = practice.pk
    with translation.override("en"):
        return reverse(f"dashboard:practices:{name}", kwargs={**names, **kwargs})


def message_texts(response):
    return [str(message) for message in get_messages(response.wsgi_request)]
