"""What the sessions tell the registry's data protection (``networks.personal_data``).

The registry finds participations, agreements and agenda items of a person on its own
(reverse relations of ``Person``, for the access request), and erasure keeps those rows as
they are: the person's record is anonymised, so they name no one, and the figures, which
count them by sex, sector and country, stay the same. What the registry cannot know is
that taking part in a session is activity: registered here, from ``ready()``, for the
retention review.
"""

from django.db import models
from django.db.models import OuterRef, Subquery
from django.db.models.functions import TruncDate
from django.utils.translation import gettext


def latest_participation():
    """The day of each person's latest session (registered or attended)."""
    from .models import Participation

    return Subquery(
        Participation.objects.filter(person=OuterRef("pk"))
        .annotate(day=TruncDate("session__start"))
        .order_by("-day")
        .values("day")[:1],
        output_field=models.DateField(),
    )


def register() -> None:
    from networks.personal_data import register_activity

    register_activity(
        "participation", lambda: gettext("took part in a session"), latest_participation
    )
