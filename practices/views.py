"""The public catalogue of good practices: search and filters, and each practice's page.

Every read goes through practices/selectors.py, which starts from ``published()``.
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.views.generic import DetailView, ListView

from common.caching import public_page, remembered
from common.pagination import LenientPaginationMixin

from . import facets, selectors
from .filters import PracticeFilterForm, SortOrder
from .page import practice_page
from .search import MAX_QUERY_LENGTH, uses_postgres


@method_decorator(public_page(parameters=PracticeFilterForm.PARAMETERS), name="dispatch")
class PracticeListView(LenientPaginationMixin, ListView):
    template_name = "practices/practice_list.html"
    context_object_name = "practices"
    paginate_by = 20

    def get(self, request, *args, **kwargs):
        self.form = PracticeFilterForm(request.GET or None)
        self.filters = self.form.filters()
        self.parameters = self.form.url_parameters()
        self.chosen = self.form.chosen_filters()
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        practices = selectors.practice_catalogue(**self.form.catalogue_arguments())
        question = {name: value for name, value in self.parameters.items() if name != "sort"}
        # The filters with their counts depend on the question and the language alone: kept
        # as HTML with the number of results, as long as the counts (every write forgets them).
        count, self.filters_html = remembered(
            "catalogue-filters",
            {"question": question, "language": get_language()},
            lambda: self.filters_of(practices, question),
            seconds=settings.FACET_COUNTS_CACHE_SECONDS,
        )
        return selectors.CatalogueResults(practices, count)

    def filters_of(self, practices, question) -> tuple[int, str]:
        # One query counts every facet of the results, and their number with them.
        counts = selectors.catalogue_counts(practices, question=question)
        options = facets.facet_options(
            counts,
            chosen=self.chosen,
            country=self.filters.get("country"),
            department=self.filters.get("department"),
        )
        selected = {name: str(value) for name, value in self.parameters.items()}
        html = render_to_string(
            "practices/includes/facet_filters.html", {"facets": options, "selected": selected}
        )
        return facets.result_count(counts), html

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        parameters = self.parameters
        query = self.filters.get("q", "")
        context.update(
            form=self.form,
            query=query,
            max_query_length=MAX_QUERY_LENGTH,
            # Safe to mark: rendered by filters_of() from a template, which escapes every value.
            facet_filters=mark_safe(self.filters_html),  # noqa: S308
            active_filters=self.chosen,
            sort_choices=SortOrder.choices,
            # "" is the default order: relevance for a search, newest otherwise.
            sort=parameters.get("sort") if parameters.get("sort") == SortOrder.NEWEST else "",
            ranks_by_relevance=uses_postgres(),
            filters_ignored=bool(self.form.errors),
            filter_query=urlencode(parameters),
            is_filtered=bool(parameters),
        )
        return context


@method_decorator(public_page, name="dispatch")
class PracticeDetailView(DetailView):
    template_name = "practices/practice_detail.html"
    context_object_name = "practice"

    def get_queryset(self):
        return selectors.practices_for_detail()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        practice = self.object
        context.update(
            page=practice_page(practice),
            absolute_url=self.request.build_absolute_uri(practice.get_absolute_url()),
            accessed_on=timezone.localdate(),
        )
        return context
