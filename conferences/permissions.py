"""Who may see or do what with sessions. Views and the admin ask these functions."""

from networks.enums import MembershipRole
from networks.models import Membership


def _is_active(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def _is_staff(user) -> bool:
    return _is_active(user) and user.is_staff


def can_export_attendance(user) -> bool:
    """Attendance sheets hold personal data: staff with the explicit export permission."""
    return _is_staff(user) and user.has_perm("conferences.export_participation")


def can_import_attendance(user) -> bool:
    """An import both registers people and changes attendance, as the registry's imports do."""
    return _is_staff(user) and all(
        user.has_perm(f"conferences.{codename}")
        for codename in ("import_participation", "add_participation", "change_participation")
    )


def can_see_meeting_link(user, session) -> bool:
    """IOM staff and the coordinators of the session's networks."""
    if not _is_active(user):
        return False
    if user.is_staff:
        return True
    return (
        Membership.objects.open()
        .filter(
            person__user=user,
            role__in=MembershipRole.coordinating(),
            network__in=session.networks.all(),
        )
        .exists()
    )
