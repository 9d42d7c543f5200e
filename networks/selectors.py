"""Reads that span several models (single-model reads live on QuerySets).

Everything here feeds public pages, so nothing returns people: only institutions,
places and counts.
"""

from django.db.models import Count, Prefetch, Q, QuerySet

from .enums import MembershipRole, NetworkStatus, Sector
from .models import BorderCrossing, Country, Institution, Membership, Municipality, Network


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
        # Not ``memberships__end_date__isnull``: that also matches institutions with no membership.
        "institutions": Institution.objects.filter(
            pk__in=Membership.objects.open().values("institution")
        ).count(),
        "members": Membership.objects.open().values("person").distinct().count(),
    }


def network_directory(*, country: str = "", kind: str = "") -> QuerySet[Network]:
    """Networks for the public directory, optionally narrowed to a country and a kind."""
    networks = Network.objects.for_directory()
    if country:
        networks = networks.in_country(country)
    if kind:
        networks = networks.of_kind(kind)
    return networks


def countries_with_networks() -> QuerySet[Country]:
    """Countries offered by the directory's country filter."""
    return Country.objects.filter(
        pk__in=Municipality.objects.filter(networks__isnull=False).values("department__country")
    )


def municipalities_by_country(municipalities) -> list[tuple[Country, list[Municipality]]]:
    """Group municipalities (with their geography loaded) by country, countries by name."""
    groups: dict[int, tuple[Country, list[Municipality]]] = {}
    for municipality in municipalities:
        country = municipality.department.country
        groups.setdefault(country.pk, (country, []))[1].append(municipality)
    return sorted(groups.values(), key=lambda group: group[0].name)


def network_institutions_by_sector(network: Network) -> list[tuple[str, list[Institution]]]:
    """Institutions represented in the network today, grouped by sector in the enum's order.

    Only open memberships count: an institution whose delegates all left is no longer a member.
    """
    institutions = (
        Institution.objects.filter(
            pk__in=Membership.objects.open().filter(network=network).values("institution")
        )
        .select_related("country")
        .order_by("name")
    )
    groups: dict[str, list[Institution]] = {}
    for institution in institutions:
        groups.setdefault(institution.sector, []).append(institution)
    return [(sector.label, groups[sector.value]) for sector in Sector if sector.value in groups]


def network_member_counts(network: Network) -> list[tuple[str, int]]:
    """How many people hold each role in the network today (counts, never names)."""
    rows = (
        Membership.objects.open()
        .filter(network=network)
        .values("role")
        .annotate(people=Count("person", distinct=True))
        .order_by()
    )
    counts = {row["role"]: row["people"] for row in rows}
    return [(role.label, counts[role.value]) for role in MembershipRole if role.value in counts]


def municipalities_for_profile() -> QuerySet[Municipality]:
    """Municipalities with everything their public page shows, in a fixed number of queries."""
    return (
        Municipality.objects.with_geography()
        .select_related("successor")
        .prefetch_related(
            Prefetch("borders_with", queryset=Country.objects.order_by("name_es")),
            Prefetch("crossings", queryset=BorderCrossing.objects.select_related("leads_to")),
            Prefetch("districts", queryset=Municipality.objects.order_by("name")),
            Prefetch("networks", queryset=Network.objects.order_by("name")),
            Prefetch(
                "institutions",
                queryset=Institution.objects.select_related("country").order_by("name"),
            ),
        )
    )
