"""sitemap.xml: public pages only (never anything about people)."""

from django.contrib.sitemaps import Sitemap

from networks.models import Municipality, Network


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


SITEMAPS = {"networks": NetworkSitemap, "municipalities": MunicipalitySitemap}
