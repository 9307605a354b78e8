"""/sitemap.xml for search engines, and /robots.txt that points to it.

/sitemap.xml is an index of sections (posts, tags, series), each at /sitemap-<section>.xml and
split into pages of 50,000 URLs as the protocol requires (?p=2, …), so it stays valid at any
size. Every section goes through Post.objects.published(): a tag or series appears only while
a published post carries it, just as its page is 404 otherwise. URLs are built from SITE_URL,
like the canonical links, and responses are cached under the content version (blog.feed_cache).
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import SitemapIndexItem
from django.contrib.sitemaps.views import sitemap as section_view
from django.db.models import Max
from django.db.models.functions import Greatest
from django.shortcuts import render
from django.urls import reverse

from .absolute_urls import absolute_url
from .feed_cache import serve_cached
from .models import Post, Series, Tag


class SiteUrlSitemap(Sitemap):
    """A sitemap whose URLs use SITE_URL's scheme and host, whatever host the request came to."""

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme or "https"

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc


class PostSitemap(SiteUrlSitemap):
    """Every published post, newest first; lastmod is its last edit (or going live, if later)."""

    # The protocol allows 50,000 URLs a file; a page of 50,000 takes ~3 s to build (4.7 MB),
    # one of 10,000 a fifth of that, and a publish makes the next crawler rebuild one.
    limit = 10_000

    def items(self):
        return (
            Post.objects.published()
            .annotate(changed_at=Greatest("updated_at", "published_at"))
            .only("slug", "updated_at", "published_at")
            .order_by("-published_at", "-id")
        )

    def lastmod(self, post):
        return post.changed_at

    def get_latest_lastmod(self):
        # One aggregate, where the default would load every post to take the max in Python.
        return Post.objects.published().aggregate(latest=Max(Greatest("updated_at", "published_at")))[
            "latest"
        ]


class TagSitemap(SiteUrlSitemap):
    """Tags on at least one published post; lastmod is the latest change among those posts."""

    def items(self):
        # The filter before annotate() makes Max() see only the published posts it joined.
        return (
            Tag.objects.filter(tagged_posts__content_object__in=Post.objects.published().values("pk"))
            .annotate(
                changed_at=Max(
                    Greatest(
                        "tagged_posts__content_object__updated_at",
                        "tagged_posts__content_object__published_at",
                    )
                )
            )
            .order_by("name")
        )

    def lastmod(self, tag):
        return tag.changed_at

    def get_latest_lastmod(self):
        return max((tag.changed_at for tag in self.items()), default=None)


class SeriesSitemap(SiteUrlSitemap):
    """Series with at least one published part; lastmod is the series' or a part's latest change."""

    def items(self):
        return (
            Series.objects.filter(posts__in=Post.objects.published().values("pk"))
            .annotate(
                changed_at=Greatest("updated_at", Max(Greatest("posts__updated_at", "posts__published_at")))
            )
            .order_by("title", "pk")
        )

    def lastmod(self, series):
        return series.changed_at

    def get_latest_lastmod(self):
        return max((series.changed_at for series in self.items()), default=None)


# A sitemap is for crawlers to read, not a page to list in search results.
NOT_FOR_SEARCH_RESULTS = (("X-Robots-Tag", "noindex, noarchive"),)

SITEMAPS = {"posts": PostSitemap, "tags": TagSitemap, "series": SeriesSitemap}


def sitemap_index(request):
    """/sitemap.xml: the absolute URL and lastmod of every section page."""

    def build():
        entries = []
        for section, sitemap_class in SITEMAPS.items():
            sitemap = sitemap_class()
            location = absolute_url(reverse("sitemap_section", kwargs={"section": section}))
            lastmod = sitemap.get_latest_lastmod()
            entries.append(SitemapIndexItem(location, lastmod))
            for page in range(2, sitemap.paginator.num_pages + 1):
                entries.append(SitemapIndexItem(f"{location}?p={page}", lastmod))
        return render(request, "sitemap_index.xml", {"sitemaps": entries}, content_type="application/xml")

    return serve_cached(request, request.path, build, headers=NOT_FOR_SEARCH_RESULTS)


def sitemap_section(request, section):
    """/sitemap-<section>.xml[?p=N]: one page of one section (404 for an unknown one)."""

    def build():
        response = section_view(request, sitemaps=SITEMAPS, section=section)
        response.render()
        return response

    name = f"{request.path}?p={request.GET.get('p', '1')}"
    return serve_cached(request, name, build, headers=NOT_FOR_SEARCH_RESULTS)


def robots_txt(request):
    """/robots.txt: everything may be crawled but the admin; the sitemap's absolute URL."""
    context = {"sitemap_url": absolute_url(reverse("sitemap_index"))}
    return render(request, "robots.txt", context, content_type="text/plain; charset=utf-8")
