"""The Atom feed of published articles (/learn/feed/) and the sitemap (/sitemap.xml)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.sitemaps import Sitemap
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy

from thaw.learn.models import Article, ProgramPage
from thaw.learn.services import live_articles

FEED_ITEMS = 30


class ArticleFeed(Feed):
    feed_type = Atom1Feed
    # Lazy: the feed speaks the reader's language (a feed reader that sends no Accept-Language
    # gets the site's default, THAW_LANGUAGE).
    title = gettext_lazy("Learn: new articles")
    subtitle = gettext_lazy("Plain articles about emotional numbness: what it is, why it happens, and the ways back.")

    def link(self) -> str:
        return reverse("learn")

    def items(self) -> list[Article]:
        # The reader's language, like the Learn index: its articles, and those not translated into it.
        from thaw.learn.views import reading_language

        return list(live_articles(language=reading_language())[:FEED_ITEMS])

    def item_title(self, item: Article) -> str:
        return item.title

    def item_description(self, item: Article) -> str:
        return item.summary

    def item_link(self, item: Article) -> str:
        return reverse("learn_article", args=[item.slug])

    def item_pubdate(self, item: Article) -> datetime | None:
        return item.published_at

    def item_updateddate(self, item: Article) -> datetime | None:
        return item.updated_at


class ArticleSitemap(Sitemap):
    changefreq = "monthly"

    def items(self) -> Any:
        return live_articles()

    def lastmod(self, item: Article) -> datetime:
        return item.updated_at


class PageSitemap(Sitemap):
    """The public pages that are not articles: home, Learn, programs, contact."""

    def items(self) -> list[str]:
        return ["home", "learn", "learn_all", "programs_public", "contact", "crisis"]

    def location(self, item: str) -> str:
        return reverse(item)


class ProgramSitemap(Sitemap):
    def items(self) -> Any:
        return ProgramPage.objects.filter(public=True)

    def lastmod(self, item: ProgramPage) -> datetime:
        return item.updated_at


SITEMAPS = {"pages": PageSitemap, "articles": ArticleSitemap, "programs": ProgramSitemap}
