"""The donor figures for staff: exact counts, charts, print layout and an XLSX of the same tables.

Wrapped by ``admin.site.admin_view`` (urls.py), so the admin's sign-in and second factor hold;
within the admin, only staff holding ``conferences.view_donor_figures`` see the page.
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.generic import TemplateView, View

from common.spreadsheets.files import CONTENT_TYPES

from .forms import DonorFiguresFilterForm
from .report import donor_report
from .xlsx import figures_workbook

PERMISSION = "conferences.view_donor_figures"


def may_view_donor_figures(user) -> bool:
    return user.is_active and user.is_staff and user.has_perm(PERMISSION)


class DonorFiguresMixin:
    def dispatch(self, request, *args, **kwargs):
        if not may_view_donor_figures(request.user):
            raise PermissionDenied
        self.form = DonorFiguresFilterForm(request.GET or None)
        return super().dispatch(request, *args, **kwargs)

    def filters(self) -> dict | None:
        """The cleaned filters; ``None`` when they do not validate (no figures then)."""
        if not self.form.is_bound:
            return {}
        if not self.form.is_valid():
            return None
        return self.form.cleaned_data

    def applied(self) -> list[tuple[str, str]]:
        return self.form.applied() if self.form.is_bound else []


class DonorFiguresView(DonorFiguresMixin, TemplateView):
    template_name = "admin/figures/donor.html"

    def get_context_data(self, **kwargs):
        filters = self.filters()
        return {
            **super().get_context_data(**kwargs),
            **admin.site.each_context(self.request),
            "title": gettext("Figures for the donor"),
            "form": self.form,
            "applied": self.applied(),
            "tables": None if filters is None else donor_report(filters),
            "query": self.request.GET.urlencode(),
            "generated": timezone.localtime(),
        }


class DonorFiguresDownloadView(DonorFiguresMixin, View):
    def get(self, request, *args, **kwargs):
        filters = self.filters()
        if filters is None:
            # Invalid filters: back to the page, which lists what is wrong.
            return DonorFiguresView.as_view()(request, *args, **kwargs)
        workbook = figures_workbook(donor_report(filters), filters=self.applied())
        filename = f"donor-figures-{timezone.localdate().isoformat()}.xlsx"
        return FileResponse(
            workbook, as_attachment=True, filename=filename, content_type=CONTENT_TYPES["xlsx"]
        )
