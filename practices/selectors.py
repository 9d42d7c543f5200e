"""Reads of good practices: the public catalogue, then the coordinators' workspace.

Every public read here starts from ``Practice.objects.published()``: nothing in review, in
draft or archived can reach a public page, feed or export, and nothing returns people. The
workspace's reads (at the end) start from ``for_user()``, the access rule's scope of the user.
"""

from collections.abc import Iterator
from itertools import islice

from django.conf import settings
from django.db.models import Case, F, IntegerField, Prefetch, QuerySet, Value, When

from common.caching import remembered
from networks.models import Country, Department, Institution, Municipality, Network

from . import facets
from .cards import practice_cards
from .enums import ReviewStatus
from .fields import SharedKeys
from .models import GCMObjective, Practice, ReviewLogEntry, Theme
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

    Each filter is a facet key the practice must hold (``practices/facets.py``): one indexed
    condition however many filters. ``sort`` is "newest", or anything else for the default:
    the most relevant first when searching (PostgreSQL; elsewhere the newest), the newest
    first otherwise.
    """
    keys = [
        facets.key(kind, record.pk)
        for kind, record in (
            ("country", country),
            ("department", department),
            ("municipality", municipality),
            ("network", network),
            ("theme", theme),
            ("gcm", gcm_objective),
        )
        if record is not None
    ]
    if practice_type:
        keys.append(facets.type_key(practice_type))
    if year:
        keys.append(facets.key("year", year))
    practices = Practice.objects.published()
    if keys:
        practices = practices.filter(facet_keys__has_all=keys)
    if q:
        practices = practice_search(practices, q)
    if q and sort != "newest" and uses_postgres():
        return practices.order_by("-rank", "-published_at", "-pk")
    return practices.order_by("-published_at", "-pk")


class CatalogueResults:
    """One page of the catalogue for Django's ``Paginator``: the number of results comes
    from the facet counts (no ``COUNT(*)``), and a page reads the ids of its practices in
    order (a narrow, ranked, limited query), then their cards (``practices/cards.py``)."""

    def __init__(self, practices: QuerySet[Practice], count: int):
        self.practices = practices
        self.total = count
        self.ordered = True

    def count(self) -> int:
        return self.total

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, window):
        if not isinstance(window, slice):
            return self[window : window + 1][0]
        return practice_cards(self.practices.values_list("pk", flat=True)[window])


def catalogue_counts(practices: QuerySet[Practice], *, question: dict) -> dict[int, int]:
    """The facet counts of ``practices``, the catalogue narrowed by ``question`` (the search
    and filters as they travel in a URL, without order or page).

    Kept totals when nothing narrows the catalogue; otherwise counted once and remembered for
    ``FACET_COUNTS_CACHE_SECONDS`` (forgotten on any write), shared by every page, order and
    language of the same search.
    """
    if not question:
        return facets.catalogue_totals()
    return remembered(
        "facet-counts",
        question,
        lambda: facets.facet_counts(practices),
        seconds=settings.FACET_COUNTS_CACHE_SECONDS,
    )


# The practice page ---------------------------------------------------------------------------


def practices_for_detail() -> QuerySet[Practice]:
    """Published practices with the records their page shows beside them, in one query (the
    relations come from ``practices.page.practice_page``)."""
    return (
        Practice.objects.published()
        # The search and facet columns are the catalogue's, never shown here.
        .defer("search_vector", "rank_vector", "search_text", "facet_keys")
        .select_related("network", "lead_institution__country", "legal_evidence")
    )


#: How many of the newest published practices sharing a theme are weighed for a practice's
#: related practices: enough for a good choice, few enough that the cost does not grow with
#: the catalogue (on PostgreSQL they are read from the catalogue index alone, newest first).
RELATED_CANDIDATES = 100


def related_practices(practice: Practice, themes, *, limit: int = 3) -> list[Practice]:
    """Other published practices sharing the most themes with ``practice``, newest first.

    Weighs the newest ``RELATED_CANDIDATES`` published practices holding one of its themes
    among their facet keys, rather than every practice sharing a theme. One query, given the
    practice's ``themes`` (as its page has read them).
    """
    theme_keys = [facets.key("theme", theme.pk) for theme in themes]
    if not theme_keys:
        return []
    candidates = (
        Practice.objects.published()
        .filter(facet_keys__has_any=theme_keys)
        .exclude(pk=practice.pk)
        .order_by("-published_at", "-id")
        .values("pk")[:RELATED_CANDIDATES]
    )
    return list(
        Practice.objects.filter(pk__in=candidates)
        .annotate(shared_themes=SharedKeys("facet_keys", theme_keys))
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
