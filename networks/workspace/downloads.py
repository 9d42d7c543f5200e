"""The members download of a network: CSV (with a byte-order mark, so spreadsheet programs
read the accents right) and XLSX, written as the rows are read.

The columns are those of the members spreadsheet (``networks.resources.NetworkMembersResource``),
headed in the reader's language, so a downloaded file uploads back unchanged. Text a
spreadsheet would run as a formula gets a leading quote (the engine's ``export_field``).
"""

from django.utils import timezone
from django.utils.translation import gettext, pgettext

from common.spreadsheets.files import download

from .. import access
from ..models import Membership, Person
from ..resources import NetworkMembersResource


def may_export_members(user) -> bool:
    """The download holds personal data: the export right on people and their seats."""
    return access.allows(user, "export", Person) and access.allows(user, "export", Membership)


def members_to_export(*, network, user, everyone: bool = False):
    """The seats of ``network`` the download lists: the open ones, or every seat (the
    history) with ``everyone``; within what ``user`` may export."""
    seats = Membership.objects.for_user(user, "export").filter(network=network)
    if not everyone:
        seats = seats.open()
    return seats.order_by("person__last_name", "person__first_name", "start_date", "pk")


def members_filename(network, file_format: str) -> str:
    stem = pgettext("file name", "members")
    return f"{stem}-{network.slug}-{timezone.localdate():%Y-%m-%d}.{file_format}"


def members_download(network, seats, file_format: str):
    """The download of ``seats`` of ``network`` as CSV or XLSX."""
    return download(
        NetworkMembersResource(network=network).rows(seats),
        file_format=file_format,
        filename=members_filename(network, file_format),
        sheet_title=gettext("Members"),
    )
