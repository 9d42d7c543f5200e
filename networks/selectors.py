"""Reads that span several models (single-model reads live on QuerySets)."""

from django.db.models import Count, Q

from .enums import NetworkStatus
from .models import Country, Institution, Membership, Municipality, Network


def registry_key_figures() -> dict:
    """Aggregate figures for the home page. Counts only: nothing personal."""
    networks = Network.objects.aggregate(
        total=Count("pk"), active=Count("pk", filter=Q(status=NetworkStatus.ACTIVE))
    )
    return {
        "networks": networks["total"],
        "active_networks": networks["active"],
        "municipalities": Municipality.objects.filter(networks__isnull=False).distinct().count(),
        "countries": Country.objects.filter(departments__municipalities__networks__isnull=False)
        .distinct()
        .count(),
        "institutions": Institution.objects.filter(memberships__end_date__isnull=True)
        .distinct()
        .count(),
        "members": Membership.objects.open().values("person").distinct().count(),
    }
