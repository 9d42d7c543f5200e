"""Pagination of public lists."""


class LenientPaginationMixin:
    """For a ``ListView``: a page number that is junk shows the first page, one past the end
    the last, so a shared or stale link still lands on a useful page instead of a 404."""

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()
