"""Atom feed of the newest published practices."""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.translation import gettext

from .models import Practice

FEED_SIZE = 20


class LatestPracticesFeed(Feed):
    feed_type = Atom1Feed

    def title(self):
        return gettext("Good practices on migration: newest")

    def subtitle(self):
        return gettext(
            "Good practices of the local networks and cross-border technical tables on "
            "migration of El Salvador, Guatemala and Honduras."
        )

    def link(self):
        return reverse("practices:practice-list")

    def author_name(self):
        # Atom wants an author; the portal is one, people never are.
        return gettext("Cross-border migration networks")

    def items(self):
        return (
            Practice.objects.published()
            .select_related("network")
            .prefetch_related("themes")
            .order_by("-published_at", "-pk")[:FEED_SIZE]
        )

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        # Atom declares a summary as HTML (type="html") and readers render it: the plain-text
        # summary is escaped, so "<script>" typed in it stays text in every feed reader.
        return escape(item.summary)

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_categories(self, item):
        return [theme.name for theme in item.themes.all()]
