from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from . import views
from .sitemaps import SITEMAPS

admin.site.site_header = _("Portal of the networks and cross-border tables")
admin.site.site_title = _("Portal administration")
# Staff sign in through allauth (rate limits, one login page), not a second form.
admin.site.login = views.admin_login_redirect

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    # Staff pages of our own under the admin (its sign-in and second-factor rules apply).
    path("admin/figures/", include("portal.figures.urls")),
    path("admin/", admin.site.urls),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", views.robots_txt, name="robots"),
    # Browsers ask for /favicon.ico whatever the page says.
    path("favicon.ico", views.favicon),
]

urlpatterns += i18n_patterns(
    path("", views.HomeView.as_view(), name="home"),
    path("accounts/invitation/", include("networks.invitation_urls")),
    path("accounts/", include("allauth.urls")),
    path("dashboard/", include("portal.workspace.urls")),
    path("", include("networks.urls")),
    path("practices/", include("practices.urls")),
    path("", include("conferences.urls")),
    prefix_default_language=False,
)
# Uploaded files are never served from MEDIA_URL, not even in development: each download goes
# through a view that asks the access rule (practices.views_attachments).
