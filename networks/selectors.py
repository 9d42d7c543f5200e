"""Reads that span several models (single-model reads live on QuerySets).

Everything here feeds public pages, so nothing returns people: only institutions,
places and counts.
"""

from dataclasses import dataclass

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
            Prefetch(
                "districts",
                queryset=Municipality.objects.order_by("name").prefetch_related(
                    Prefetch("networks", queryset=Network.objects.order_by("name"))
                ),
            ),
            Prefetch("networks", queryset=Network.objects.order_by("name")),
            Prefetch(
                "institutions",
                queryset=Institution.objects.select_related("country").order_by("name"),
            ),
        )
    )


def networks_through_districts(municipality: Municipality) -> list[tuple[Municipality, list]]:
    """The networks a reformed municipality takes part in through its districts only.

    Each district with the networks it belongs to that the municipality itself is not in
    (those are listed already). Reads what ``municipalities_for_profile`` prefetched: no query.
    """
    own = {network.pk for network in municipality.networks.all()}
    groups = []
    for district in municipality.districts.all():
        networks = [network for network in district.networks.all() if network.pk not in own]
        if networks:
            groups.append((district, networks))
    return groups


@dataclass(frozen=True)
class MunicipalityPractices:
    """The published practices shown on a municipality's page.

    ``practices`` are the newest ``limit`` ones, each with ``districts_here``: the districts
    of the municipality where it is carried out (empty for one without districts).
    ``total`` counts them all, each once; ``own_total`` those carried out in the
    municipality itself, which is what the catalogue's municipality filter finds.
    """

    practices: list
    total: int
    own_total: int

    @property
    def is_capped(self) -> bool:
        return self.total > len(self.practices)


def municipality_practices(municipality: Municipality, *, limit: int = 20) -> MunicipalityPractices:
    """Published practices of ``municipality`` and of its districts, newest published first.

    Takes a municipality from ``municipalities_for_profile`` (its districts prefetched).
    At most three queries whatever the number of practices and districts: the page, the
    districts of the practices on it (only for a municipality with districts), both counts.
    """
    # Through the reverse relation: networks may not import practices (lint-imports).
    practice_model = municipality.practices.model
    here = Q(municipalities=municipality) | Q(municipalities__successor=municipality)
    # ``pk__in`` rather than a join, so that a practice of several districts comes once.
    practices = practice_model.objects.published().filter(
        pk__in=practice_model.objects.filter(here).values("pk")
    )
    own = practice_model.objects.filter(municipalities=municipality).values("pk")
    counts = practices.aggregate(total=Count("pk"), own_total=Count("pk", filter=Q(pk__in=own)))

    page = practices.only(
        "title", "slug", "summary", "practice_type", "year_started", "published_at"
    ).order_by("-published_at", "-pk")
    if municipality.districts.all():
        page = page.prefetch_related(
            Prefetch(
                "municipalities",
                queryset=Municipality.objects.filter(successor=municipality).order_by("name"),
                to_attr="districts_here",
            )
        )
    page = list(page[:limit])
    for practice in page:
        if not hasattr(practice, "districts_here"):
            practice.districts_here = []
    return MunicipalityPractices(
        practices=page, total=counts["total"], own_total=counts["own_total"]
    )
