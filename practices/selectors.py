"""Reads of good practices: the public catalogue, then the coordinators' workspace.

Every public read here starts from ``Practice.objects.published()``: nothing in review, in
draft or archived can reach a public page, feed or export, and nothing returns people. The
workspace's reads (at the end) start from ``for_user()``, the access rule's scope of the user.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import islice

from django.db.models import Case, Count, F, IntegerField, Prefetch, Q, QuerySet, Value, When

from common.languages import localized
from networks.models import Country, Department, Institution, Municipality, Network

from .enums import PracticeType, ReviewStatus
from .models import GCMObjective, Practice, Replication, ReviewLogEntry, Theme
from .search import practice_search, uses_postgres

MunicipalityLink = Practice.municipalities.through
ThemeLink = Practice.themes.through
ObjectiveLink = Practice.gcm_objectives.through


# The list ---------------------------------------------------------------------------------


def practice_catalogue(
    *,
    q: str = "",
    country: Country | None = None,
    department: Department | None = None,
    municipality: Municipality | None = None,
    network: Network | None = None,
    theme: Theme | None = None,
    gcm_objective: GCMObjective | None = None,
    practice_type: str = "",
    year: int | None = None,
    sort: str = "",
) -> QuerySet[Practice]:
    """Published practices matching the search and every filter given, in ``sort`` order.

    ``sort`` is "relevance" (the default when searching; PostgreSQL only, elsewhere it falls
    back to the newest first) or "newest".
    """
    practices = Practice.objects.published()
    # Filters on many-to-many relations use subqueries so that a practice never repeats.
    places = MunicipalityLink.objects.all()
    if country:
        places = places.filter(municipality__department__country=country)
    if department:
        places = places.filter(municipality__department=department)
    if municipality:
        places = places.filter(municipality=municipality)
    if country or department or municipality:
        practices = practices.filter(pk__in=places.values("practice_id"))
    if theme:
        practices = practices.filter(
            pk__in=ThemeLink.objects.filter(theme=theme).values("practice_id")
        )
    if gcm_objective:
        practices = practices.filter(
            pk__in=ObjectiveLink.objects.filter(gcmobjective=gcm_objective).values("practice_id")
        )
    if network:
        practices = practices.filter(network=network)
    if practice_type:
        practices = practices.filter(practice_type=practice_type)
    if year:
        practices = practices.filter(year_started=year)
    if q:
        practices = practice_search(practices, q)
    if q and sort != "newest" and uses_postgres():
        return practices.order_by("-rank", "-published_at", "-pk")
    return practices.order_by("-published_at", "-pk")


@dataclass(frozen=True)
class FacetOption:
    value: str
    label: str
    count: int


def catalogue_facets(
    practices: QuerySet[Practice], *, chosen: Sequence[dict] = ()
) -> dict[str, list[FacetOption]]:
    """How many of ``practices`` fall under each option of each filter.

    One aggregate query per filter, whatever the number of practices; a practice in two
    municipalities of one country counts once for that country. A ``chosen`` filter
    (``{"name", "value", "label"}``) that no practice matches any more is listed with a
    count of 0, so that it still shows as chosen.
    """
    in_results = practices.order_by().values("pk")
    places = MunicipalityLink.objects.filter(practice__in=in_results)
    practice_count = Count("practice", distinct=True)
    # A link row is unique per practice and municipality, theme or objective (the through
    # tables' unique constraint): counting rows needs no DISTINCT, which sorts every group.
    link_count = Count("pk")

    countries = (
        places.values(
            value=F("municipality__department__country__code"),
            name_es=F("municipality__department__country__name_es"),
            name_en=F("municipality__department__country__name_en"),
        )
        .annotate(count=practice_count)
        .order_by("name_es")
    )
    departments = (
        places.values(
            value=F("municipality__department__code"),
            name=F("municipality__department__name"),
        )
        .annotate(count=practice_count)
        .order_by("name", "value")
    )
    municipalities = (
        places.values(
            value=F("municipality__slug"),
            name=F("municipality__name"),
            department=F("municipality__department__name"),
        )
        .annotate(count=link_count)
        .order_by("name", "value")
    )
    themes = (
        ThemeLink.objects.filter(practice__in=in_results)
        .values(
            value=F("theme__slug"),
            name_es=F("theme__name_es"),
            name_en=F("theme__name_en"),
            position=F("theme__position"),
        )
        .annotate(count=link_count)
        .order_by("position", "name_es")
    )
    objectives = (
        ObjectiveLink.objects.filter(practice__in=in_results)
        .values(
            value=F("gcmobjective__number"),
            title_es=F("gcmobjective__title_es"),
            title_en=F("gcmobjective__title_en"),
        )
        .annotate(count=link_count)
        .order_by("value")
    )
    # The practice columns are counted on ``practices`` itself: a self-join through
    # ``pk IN (...)`` would read the (wide) practice table twice.
    own = practices.order_by()
    networks = (
        own.filter(network__isnull=False)
        .values(value=F("network__slug"), name=F("network__name"))
        .annotate(count=Count("pk"))
        .order_by("name")
    )
    types = own.values(value=F("practice_type")).annotate(count=Count("pk"))
    years = (
        own.filter(year_started__isnull=False)
        .values(value=F("year_started"))
        .annotate(count=Count("pk"))
        .order_by("-value")
    )

    def bilingual(row, field="name"):
        return localized(row[f"{field}_es"], row[f"{field}_en"])

    type_counts = {row["value"]: row["count"] for row in types}
    facets = {
        "country": [FacetOption(row["value"], bilingual(row), row["count"]) for row in countries],
        "department": [FacetOption(row["value"], row["name"], row["count"]) for row in departments],
        "municipality": [
            FacetOption(row["value"], f"{row['name']} ({row['department']})", row["count"])
            for row in municipalities
        ],
        "network": [FacetOption(row["value"], row["name"], row["count"]) for row in networks],
        "theme": [FacetOption(row["value"], bilingual(row), row["count"]) for row in themes],
        "gcm": [
            FacetOption(
                str(row["value"]), f"{row['value']}. {bilingual(row, 'title')}", row["count"]
            )
            for row in objectives
        ],
        # Types in the order of their definition, not alphabetically by code.
        "type": [
            FacetOption(value, label, type_counts[value])
            for value, label in PracticeType.choices
            if value in type_counts
        ],
        "year": [FacetOption(str(row["value"]), str(row["value"]), row["count"]) for row in years],
    }
    for choice in chosen:
        options = facets[choice["name"]]
        if all(option.value != choice["value"] for option in options):
            options.append(FacetOption(choice["value"], choice["label"], 0))
    return facets


# The practice page ---------------------------------------------------------------------------


def practices_for_detail() -> QuerySet[Practice]:
    """Published practices with everything their page shows, in a fixed number of queries."""
    return (
        Practice.objects.published()
        .select_related("network", "lead_institution__country", "legal_evidence")
        .prefetch_related(
            Prefetch("themes", queryset=Theme.objects.order_by("position", "name_es")),
            Prefetch("gcm_objectives", queryset=GCMObjective.objects.order_by("number")),
            "gcm_principles",
            Prefetch(
                "municipalities",
                queryset=Municipality.objects.with_geography().order_by("name"),
            ),
            Prefetch(
                "partner_institutions",
                queryset=Institution.objects.select_related("country").order_by("name"),
            ),
            Prefetch(
                "replications",
                queryset=Replication.objects.select_related("municipality__department__country"),
            ),
            "attachments",
        )
    )


#: How many of the newest theme links of a practice's themes are weighed for its related
#: practices: enough for a good choice, few enough that the cost does not grow with the catalogue.
RELATED_CANDIDATE_LINKS = 500


def related_practices(practice: Practice, *, limit: int = 3) -> list[Practice]:
    """Other published practices sharing the most themes with ``practice``, newest first.

    Weighs the practices behind the newest ``RELATED_CANDIDATE_LINKS`` links to its themes
    (read backwards along the link table's index) rather than every practice sharing a theme.
    One query; reads the themes ``practice`` already has loaded.
    """
    theme_ids = [theme.pk for theme in practice.themes.all()]
    if not theme_ids:
        return []
    candidates = (
        ThemeLink.objects.filter(theme_id__in=theme_ids)
        .exclude(practice_id=practice.pk)
        .order_by("-practice_id")
        .values("practice_id")[:RELATED_CANDIDATE_LINKS]
    )
    return list(
        Practice.objects.published()
        .filter(pk__in=candidates)
        .annotate(shared_themes=Count("themes", filter=Q(themes__in=theme_ids)))
        .order_by("-shared_themes", "-published_at", "-pk")
        .only("slug", "title", "summary", "year_started", "published_at")[:limit]
    )


# Open data -------------------------------------------------------------------------------------


# Columns of the open data read straight from the practice row.
EXPORT_FIELDS = (
    "slug",
    "title",
    "summary",
    "practice_type",
    "year_started",
    "implementation_status",
    "language",
    "published_at",
)


def practices_for_export(*, chunk_size: int = 500) -> Iterator[dict]:
    """Every published practice as a dict of what the open-data files show, by slug.

    Plain values, never model instances: one query reads the practices (in chunks of
    ``chunk_size``) and three per chunk read their themes, GCM objectives and municipalities,
    so memory and the query count stay flat and 100 000 rows export in seconds. Lists are
    sorted as the files show them (themes and municipalities by slug, objectives by number).
    """
    rows = (
        Practice.objects.published()
        .order_by("slug")
        .values(
            "pk",
            *EXPORT_FIELDS,
            network_slug=F("network__slug"),
            lead_institution_name=F("lead_institution__name"),
        )
        .iterator(chunk_size=chunk_size)
    )
    while chunk := list(islice(rows, chunk_size)):
        ids = [row["pk"] for row in chunk]
        themes = _grouped(
            ThemeLink.objects.filter(practice_id__in=ids)
            .order_by("theme__slug")
            .values_list("practice_id", "theme__slug")
        )
        objectives = _grouped(
            ObjectiveLink.objects.filter(practice_id__in=ids)
            .order_by("gcmobjective__number")
            .values_list("practice_id", "gcmobjective__number")
        )
        places: dict[int, list[tuple[str, str]]] = {}
        for practice_id, slug, country in (
            MunicipalityLink.objects.filter(practice_id__in=ids)
            .order_by("municipality__slug")
            .values_list(
                "practice_id", "municipality__slug", "municipality__department__country__code"
            )
        ):
            places.setdefault(practice_id, []).append((slug, country))
        for row in chunk:
            pk = row.pop("pk")
            row["network"] = row.pop("network_slug")
            row["lead_institution"] = row.pop("lead_institution_name")
            row["themes"] = themes.get(pk, [])
            row["gcm_objectives"] = objectives.get(pk, [])
            row["municipalities"] = [slug for slug, _country in places.get(pk, ())]
            row["countries"] = sorted({country for _slug, country in places.get(pk, ())})
            yield row


def _grouped(pairs) -> dict:
    grouped: dict = {}
    for key, value in pairs:
        grouped.setdefault(key, []).append(value)
    return grouped


# The coordinators' workspace -------------------------------------------------------------------

#: The order of the workspace's list: what needs the coordinator's work first.
WORKSPACE_STATUS_ORDER = (
    ReviewStatus.CHANGES_REQUESTED,
    ReviewStatus.DRAFT,
    ReviewStatus.SUBMITTED,
    ReviewStatus.PUBLISHED,
    ReviewStatus.WITHDRAWN,
    ReviewStatus.ARCHIVED,
)


def workspace_practices(*, network: Network, user) -> QuerySet[Practice]:
    """The practices of ``network`` that ``user`` may see, the ones needing work first (sent
    back, then drafts), each group most recently changed first. One query: the list reads
    only the practice's own columns."""
    status_order = Case(
        *(
            When(status=status, then=Value(rank))
            for rank, status in enumerate(WORKSPACE_STATUS_ORDER)
        ),
        default=Value(len(WORKSPACE_STATUS_ORDER)),
        output_field=IntegerField(),
    )
    return (
        Practice.objects.for_user(user, "view")
        .filter(network=network)
        .annotate(status_order=status_order)
        .order_by("status_order", "-updated_at", "-pk")
        .only("pk", "title", "slug", "status", "network_id", "updated_at", "published_at")
    )


def workspace_practice_detail(*, network: Network) -> QuerySet[Practice]:
    """The practices of ``network`` with everything their workspace page and "check your
    answers" show, in a fixed number of queries (narrow it with ``access.get_or_404``)."""
    return (
        Practice.objects.filter(network=network)
        .select_related("network", "lead_institution")
        .prefetch_related(
            Prefetch("themes", queryset=Theme.objects.order_by("position", "name_es")),
            Prefetch("gcm_objectives", queryset=GCMObjective.objects.order_by("number")),
            "gcm_principles",
            Prefetch(
                "municipalities",
                queryset=Municipality.objects.with_geography().order_by("name"),
            ),
            Prefetch("partner_institutions", queryset=Institution.objects.order_by("name")),
            "attachments",
        )
    )


def review_history(*, practice: Practice, user) -> QuerySet[ReviewLogEntry]:
    """The moves of ``practice`` along the review and their comments, newest first, as far
    as ``user`` may read them (the reviewers and the network's coordinators)."""
    return (
        ReviewLogEntry.objects.for_user(user, "view")
        .filter(practice=practice)
        .select_related("actor")
        .order_by("-created_at", "-pk")
    )
