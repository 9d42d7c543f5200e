"""Site-wide views: home page, health probes, admin login hand-over."""

from django.contrib.auth import REDIRECT_FIELD_NAME
from django.db import DatabaseError, connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, resolve_url
from django.templatetags.static import static
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from common.caching import public_page
from networks.models import Network
from networks.selectors import registry_key_figures
from practices.cards import practice_cards
from practices.models import Practice


@method_decorator(public_page, name="dispatch")
class HomeView(TemplateView):
    template_name = "portal/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["figures"] = registry_key_figures()
        context["networks"] = Network.objects.for_directory()
        context["recent_practices"] = practice_cards(
            Practice.objects.published().values_list("pk", flat=True)[:3]
        )
        return context


@never_cache
def healthz(request):
    """Liveness: the process answers. Touches nothing else."""
    return HttpResponse("ok", content_type="text/plain")


@never_cache
def readyz(request):
    """Readiness: the database answers a query; 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "error"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def admin_login_redirect(request, extra_context=None):
    if request.user.is_authenticated and not request.user.is_staff:
        # Signed in, but not IOM staff (a coordinator): their place is the workspace; the
        # login page again would loop.
        return redirect("dashboard:home")
    next_url = request.GET.get(REDIRECT_FIELD_NAME) or resolve_url("admin:index")
    return redirect(f"{resolve_url('account_login')}?{urlencode({REDIRECT_FIELD_NAME: next_url})}")


#: What crawlers are asked to leave alone: pages behind a sign-in, in either language.
ROBOTS_DISALLOWED = ("/admin/", "/accounts/", "/dashboard/", "/en/accounts/", "/en/dashboard/")


def robots_txt(request):
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in ROBOTS_DISALLOWED)]
    lines.append(f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}")
    response = HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "public, max-age=86400"
    return response


def favicon(request):
    # Browsers ask for /favicon.ico whatever the page links to.
    return redirect(static("img/favicon.svg"), permanent=True)
