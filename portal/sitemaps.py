"""sitemap.xml: public pages only (never anything about people)."""

from django.contrib.sitemaps import Sitemap

from networks.models import Municipality, Network
from practices.models import Practice


class NetworkSitemap(Sitemap):
    changefreq = "weekly"
    i18n = True
    alternates = True
    x_default = True

    def items(self):
        return Network.objects.order_by("slug")


class MunicipalitySitemap(Sitemap):
    changefreq = "monthly"
    i18n = True
    alternates = True
    x_default = True

    def items(self):
        return Municipality.objects.filter(networks__isnull=False).distinct().order_by("slug")


class PracticeSitemap(Sitemap):
    changefreq = "monthly"
    i18n = True
    alternates = True
    x_default = True

    def items(self):
        return Practice.objects.published().only("slug", "updated_at").order_by("slug")

    def lastmod(self, practice):
        return practice.updated_at


SITEMAPS = {
    "networks": NetworkSitemap,
    "municipalities": MunicipalitySitemap,
    "practices": PracticeSitemap,
}
