"""sitemap.xml: public pages only (never anything about people)."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from conferences.models import Conference, Session
from networks.models import Municipality, Network
from practices.models import Practice


class PublicSitemap(Sitemap):
    """Every page in both languages, with hreflang alternates."""

    i18n = True
    alternates = True
    x_default = True


class NetworkSitemap(PublicSitemap):
    changefreq = "weekly"

    def items(self):
        return Network.objects.order_by("slug")


class MunicipalitySitemap(PublicSitemap):
    changefreq = "monthly"

    def items(self):
        return Municipality.objects.filter(networks__isnull=False).distinct().order_by("slug")


class PracticeSitemap(PublicSitemap):
    changefreq = "monthly"

    def items(self):
        return Practice.objects.published().only("slug", "updated_at").order_by("slug")

    def lastmod(self, practice):
        return practice.updated_at


class ConferenceSitemap(PublicSitemap):
    changefreq = "monthly"

    def items(self):
        return Conference.objects.public().only("slug").order_by("slug")


class SessionSitemap(PublicSitemap):
    changefreq = "weekly"

    def items(self):
        return Session.objects.public().only("slug", "updated_at").order_by("slug")

    def lastmod(self, session):
        return session.updated_at


class FiguresSitemap(PublicSitemap):
    """Pages with no record of their own, named by their URL name."""

    changefreq = "weekly"

    def items(self):
        return ["conferences:figures"]

    def location(self, name):
        return reverse(name)


SITEMAPS = {
    "networks": NetworkSitemap,
    "municipalities": MunicipalitySitemap,
    "practices": PracticeSitemap,
    "conferences": ConferenceSitemap,
    "sessions": SessionSitemap,
    "figures": FiguresSitemap,
}
