"""RSS 2.0, Atom 1.0 and JSON Feed 1.1 for the whole site and for one tag, series or author.

One base class, PostFeed, built on django.contrib.syndication, says what an item is; each scope
(LatestPostsFeed, TagFeed, SeriesFeed, AuthorFeed) only says which published posts it holds and
what the feed is called. The format is chosen per URL: PostFeed("atom"), PostFeed("rss"),
PostFeed("json"), so the three cannot drift apart. Every scope comes in every format
(FEED_FORMATS); `feed_links` is the one list of them that pages advertise with
<link rel="alternate"> and the Subscribe page shows.

Reader apps run no script and drop stylesheets, so an item's content is the inline-styled render
of the body (render_markdown(..., inline_styles=True)) with formulas as MathML and every link and
image URL absolute. Rendering costs ~6 ms a post, so each item's HTML is cached in Redis under a
hash of what it is made of, and the whole feed under the content version (blog.feed_cache): a
publish rebuilds the feed around one fresh render, and an unchanged feed costs no SQL at all.
"""

import hashlib
import html
import json
import re
from dataclasses import dataclass
from datetime import UTC
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.syndication.views import Feed
from django.core.cache import cache
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import translation
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed, SyndicationFeed, rfc3339_date
from django.utils.html import format_html
from django.utils.translation import gettext as _

from .absolute_urls import absolute_url, make_links_absolute, site_host
from .excerpts import excerpt_of
from .feed_cache import serve_cached
from .ingest.links import http_url
from .markdown import render_markdown
from .models import Post, Series, Tag, with_published_posts
from .page_cache import cached_for_readers

# Bump when the feed rendering of a body changes (markdown pipeline, link rewriting), so cached
# item HTML from the old code is never served again.
ITEM_RENDERING_VERSION = 2
# Item HTML is keyed by a hash of its inputs, so it never goes stale; this only bounds memory.
ITEM_CACHE_SECONDS = 14 * 24 * 3600

# Characters XML 1.0 forbids. A pasted title or an ingested entry can carry them, and Django's
# XML writer refuses them with an exception: one bad title would take every reader's feed down.
_XML_FORBIDDEN_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

# The UI language whose strings (the "Originally published at" note) suit a post's language.
_UI_LANGUAGE_OF_POST = {Post.Language.ENGLISH: "en", Post.Language.CHINESE: "zh-hans"}
# BCP 47 tags for a post's language, as xml:lang and JSON Feed "language" want them.
_CONTENT_LANGUAGE_OF_POST = {Post.Language.ENGLISH: "en", Post.Language.CHINESE: "zh-Hans"}


# Every format each scope comes in: its media type (autodiscovery's `type`) and the name readers
# know it by. The order is the order pages list them in.
FEED_FORMATS = {
    "atom": ("application/atom+xml", "Atom"),
    "rss": ("application/rss+xml", "RSS"),
    "json": ("application/feed+json", "JSON Feed"),
}


@dataclass(frozen=True)
class FeedLink:
    """One feed of one scope, as a page links to it: `url` is the site-relative path."""

    feed_format: str
    media_type: str
    label: str
    title: str
    url: str


def feed_links(scope, title, **url_kwargs):
    """Return one FeedLink per format for `scope` ("latest", "tag", "series", "author")."""
    return [
        FeedLink(
            feed_format=feed_format,
            media_type=media_type,
            label=label,
            title=title,
            url=reverse(f"blog:{scope}_feed_{feed_format}", kwargs=url_kwargs),
        )
        for feed_format, (media_type, label) in FEED_FORMATS.items()
    ]


def tag_feed_links(tag):
    """Return the feeds of one tag."""
    return feed_links("tag", f"#{tag.name} · {settings.SITE_NAME}", slug=tag.slug)


def series_feed_links(series):
    """Return the feeds of one series."""
    return feed_links("series", f"{series.title} · {settings.SITE_NAME}", slug=series.slug)


def author_feed_links(author):
    """Return the feeds of one author."""
    name = author.get_full_name() or author.username
    return feed_links("author", f"{name} · {settings.SITE_NAME}", username=author.username)


def post_feed_links(post):
    """Return the feeds a reader of `post` may want: its series' and its tags' (prefetched).

    Only for a live post: a draft's series or tag may have no published post, and its feed is 404.
    """
    if not post.is_live:
        return []
    links = series_feed_links(post.series) if post.series_id else []
    for tag in post.tags.all():
        links += tag_feed_links(tag)
    return links


def without_forbidden_characters(value):
    """Return `value` without XML-forbidden characters; lists of strings are cleaned item by item."""
    if isinstance(value, str):
        return _XML_FORBIDDEN_RE.sub("", value)
    if isinstance(value, list | tuple) and all(isinstance(item, str) for item in value):
        return [_XML_FORBIDDEN_RE.sub("", item) for item in value]
    return value


# --- generators: what Django's lack ------------------------------------------------------------


class _CleanText:
    """Strips XML-forbidden characters from every string given to the feed or an item."""

    def __init__(self, *args, **kwargs):
        super().__init__(
            *[without_forbidden_characters(arg) for arg in args],
            **{name: without_forbidden_characters(value) for name, value in kwargs.items()},
        )

    def add_item(self, *args, **kwargs):
        super().add_item(
            *[without_forbidden_characters(arg) for arg in args],
            **{name: without_forbidden_characters(value) for name, value in kwargs.items()},
        )


class RssWithContent(_CleanText, Rss201rev2Feed):
    """RSS 2.0 with the full HTML in content:encoded, the origin of ingested posts and a WebSub hub."""

    content_namespace = "http://purl.org/rss/1.0/modules/content/"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Reader apps read a channel's <description> as HTML, and ours is plain text that may
        # quote a tag name taken from an outside feed ("<img src=x onerror=…>"): escaped once
        # more here, it shows as the text it is. (Atom's <subtitle> and JSON's are plain text.)
        self.feed["description"] = html.escape(self.feed["description"], quote=False)

    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:content": self.content_namespace}

    def add_root_elements(self, handler):
        super().add_root_elements(handler)
        if self.feed.get("hub_url"):
            handler.addQuickElement("atom:link", None, {"rel": "hub", "href": self.feed["hub_url"]})

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item["content_html"].strip():  # a post with an empty body has no content, not a blank one
            handler.addQuickElement("content:encoded", item["content_html"])
        if item.get("source_feed_url"):
            handler.addQuickElement("source", item["source_name"], {"url": item["source_feed_url"]})


class AtomWithContent(_CleanText, Atom1Feed):
    """Atom 1.0 with <content type="html">, per-entry xml:lang, rel="via" to an original, a hub."""

    def add_root_elements(self, handler):
        super().add_root_elements(handler)
        if self.feed.get("hub_url"):
            handler.addQuickElement("link", "", {"rel": "hub", "href": self.feed["hub_url"]})

    def item_attributes(self, item):
        return {"xml:lang": item["language"]} if item.get("language") else {}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item["content_html"].strip():
            # An entry without content is valid with its rel="alternate" link (RFC 4287 §4.1.2); a
            # blank one is not content, and reader apps would show an empty article.
            handler.addQuickElement("content", item["content_html"], {"type": "html"})
        if item.get("original_url"):
            handler.addQuickElement("link", "", {"rel": "via", "href": item["original_url"]})
        if item.get("source_feed_url"):
            # atom:source names the feed an entry was copied from (RFC 4287 §4.2.11), with the id,
            # title and updated that readers use to credit it and to tell copies apart.
            handler.startElement("source", {})
            handler.addQuickElement("id", item["source_feed_url"])
            handler.addQuickElement("title", item["source_name"])
            handler.addQuickElement("updated", rfc3339_date(item["source_updated"]))
            handler.addQuickElement("link", "", {"rel": "self", "href": item["source_feed_url"]})
            if item.get("source_site_url"):
                handler.addQuickElement("link", "", {"rel": "alternate", "href": item["source_site_url"]})
            handler.endElement("source")


class JsonFeed(_CleanText, SyndicationFeed):
    """JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/) from the same items as RSS and Atom."""

    content_type = "application/feed+json; charset=utf-8"
    version = "https://jsonfeed.org/version/1.1"

    def as_dict(self):
        """Return the feed as the JSON Feed object, absent optional members left out."""
        feed = {
            "version": self.version,
            "title": self.feed["title"],
            "home_page_url": self.feed["link"],
            "feed_url": self.feed["feed_url"],
            "description": self.feed["description"],
            "language": self.feed["language"],
        }
        if self.feed["author_name"]:
            feed["authors"] = [_json_author(self.feed["author_name"], self.feed["author_link"])]
        if self.feed.get("hub_url"):
            feed["hubs"] = [{"type": "WebSub", "url": self.feed["hub_url"]}]
        feed["items"] = [self._item(item) for item in self.items]
        return {name: value for name, value in feed.items() if value is not None}

    def _item(self, item):
        author = _json_author(item["author_name"], item["author_link"]) if item["author_name"] else None
        entry = {
            "id": item["unique_id"],
            "url": item["link"],
            "external_url": item.get("original_url") or None,
            "title": item["title"],
            "content_html": item["content_html"],
            "summary": item.get("summary_text") or None,
            "date_published": rfc3339_date(item["pubdate"]) if item["pubdate"] else None,
            "date_modified": rfc3339_date(item["updateddate"]) if item["updateddate"] else None,
            "authors": [author] if author else None,
            "tags": list(item["categories"]) or None,
            "language": item.get("language"),
        }
        return {name: value for name, value in entry.items() if value is not None}

    def write(self, outfile, encoding):
        outfile.write(json.dumps(self.as_dict(), ensure_ascii=False))


def _json_author(name, url):
    return {"name": name, "url": url} if url else {"name": name}


FEED_GENERATORS = {"atom": AtomWithContent, "rss": RssWithContent, "json": JsonFeed}


# --- items ------------------------------------------------------------------------------------


def post_tag_uri(post):
    """Return the post's permanent id, e.g. "tag:example.com,2025-03-01:posts/42".

    Neither the slug (editable) nor the publication time (an editor may move it) take part:
    the date is the row's creation date in UTC and never changes, so reader apps never see an
    edited post as a new one.
    """
    return f"tag:{site_host()},{post.created_at.astimezone(UTC):%Y-%m-%d}:posts/{post.pk}"


def post_permalink(post):
    """Return the post's absolute URL on this site."""
    return absolute_url(post.get_absolute_url())


def item_cache_key(post):
    """Return the Redis key of `post`'s feed HTML: a hash of everything that HTML is made of."""
    parts = [
        str(ITEM_RENDERING_VERSION),
        settings.SITE_URL,
        str(post.pk),
        post.slug,
        post.language,
        post.body,
        post.body_html,
        post.excerpt,
        post.summary,
    ]
    digest = hashlib.blake2b("\0".join(parts).encode(), digest_size=20).hexdigest()
    return f"feed-item:{digest}"


def render_feed_item(post):
    """Return (content_html, summary_html) of `post` for reader apps: inline styles, absolute URLs.

    The summary is the stored excerpt; a post whose excerpt task has not run yet gets one now.
    """
    permalink = post_permalink(post)
    content = make_links_absolute(render_markdown(post.body, inline_styles=True), permalink)
    summary = make_links_absolute(post.excerpt or excerpt_of(post).html, permalink)
    return without_forbidden_characters(content), without_forbidden_characters(summary)


def attach_feed_bodies(posts):
    """Set `feed_content_html` and `feed_summary_html` on each post, rendering only what Redis lacks."""
    keys = {post.pk: item_cache_key(post) for post in posts}
    cached = cache.get_many(list(keys.values()))
    fresh = {}
    for post in posts:
        key = keys[post.pk]
        if key not in cached:
            cached[key] = fresh[key] = render_feed_item(post)
        post.feed_content_html, post.feed_summary_html = cached[key]
    if fresh:
        cache.set_many(fresh, timeout=ITEM_CACHE_SECONDS)


def origin_note_html(post):
    """Return "Originally published at <a>source</a>" in the post's language, or "" for own posts."""
    if not post.original_url:
        return ""
    name = str(post.source) if post.source_id else urlsplit(post.original_url).hostname
    with translation.override(_UI_LANGUAGE_OF_POST.get(post.language, settings.LANGUAGE_CODE)):
        label = _("Originally published at")
    return format_html('<p><em>{} <a href="{}">{}</a></em></p>', label, post.original_url, name)


# --- the feeds ---------------------------------------------------------------------------------


class PostFeed(Feed):
    """Published posts, newest first, as one of the formats in FEED_GENERATORS.

    Subclasses set `scope` (the URL names are "blog:<scope>_feed_<format>") and say which posts
    belong (`published_posts`) and what the feed is called. Instances are shared by every
    request: nothing request-specific is ever stored on self.
    """

    scope = "latest"
    item_guid_is_permalink = False

    def __init__(self, feed_format):
        self.feed_format = feed_format
        self.feed_type = FEED_GENERATORS[feed_format]

    def __call__(self, request, *args, **kwargs):
        def build():
            # One cached copy serves every reader, so it must not depend on their UI language.
            with translation.override(settings.LANGUAGE_CODE):
                return Feed.__call__(self, request, *args, **kwargs)

        return serve_cached(request, request.path, build, headers=self.link_headers(request.path))

    def link_headers(self, path):
        """Return WebSub discovery headers (RFC 8288 Link) when a hub is configured."""
        if not settings.WEBSUB_HUB:
            return ()
        return (("Link", f'<{settings.WEBSUB_HUB}>; rel="hub", <{absolute_url(path)}>; rel="self"'),)

    # The scope: overridden by subclasses.

    def published_posts(self, obj):
        """Return the queryset of posts this feed may show (always through published())."""
        return Post.objects.published()

    def url_kwargs(self, obj):
        """Return the URL keyword arguments of this scope's pages and feeds."""
        return {}

    # Feed-level data.

    def title(self, obj):
        return settings.SITE_NAME

    def description(self, obj):
        return _("Technical writing in Chinese and English")

    def subtitle(self, obj):
        # Atom has no <description>; its <subtitle> says the same.
        return self.description(obj)

    def link(self, obj):
        return absolute_url(reverse("blog:timeline"))

    def feed_url(self, obj):
        return absolute_url(
            reverse(f"blog:{self.scope}_feed_{self.feed_format}", kwargs=self.url_kwargs(obj))
        )

    def feed_guid(self, obj):
        # The feed's own URL, not the page's: an Atom feed's id must differ from any entry's.
        return self.feed_url(obj)

    def feed_extra_kwargs(self, obj):
        return {"hub_url": settings.WEBSUB_HUB or None}

    def items(self, obj):
        posts = list(
            self.published_posts(obj)
            .select_related("author", "source")
            .prefetch_related("tags")
            .order_by("-published_at", "-id")[: settings.FEED_ITEMS]
        )
        attach_feed_bodies(posts)
        return posts

    # Item-level data.

    def item_title(self, post):
        # Plain text; the generators escape it. (Django's default escapes it twice.)
        return post.title

    def item_description(self, post):
        # None leaves <summary> / <description> out: a post with an empty body has no excerpt.
        return post.feed_summary_html if post.feed_summary_html.strip() else None

    def item_link(self, post):
        return post_permalink(post)

    def item_guid(self, post):
        return post_tag_uri(post)

    def item_pubdate(self, post):
        return post.published_at

    def item_updateddate(self, post):
        # A post scheduled long after its last edit is "updated" when it goes live.
        return max(post.updated_at, post.published_at)

    def item_author_name(self, post):
        return post.author.get_full_name() or post.author.username

    def item_author_link(self, post):
        return absolute_url(reverse("blog:author", kwargs={"username": post.author.username}))

    def item_categories(self, post):
        return [tag.name for tag in post.tags.all()]

    def item_extra_kwargs(self, post):
        source = post.source if post.source_id else None
        return {
            "content_html": origin_note_html(post) + post.feed_content_html,
            "summary_text": post.excerpt_text or excerpt_of(post).text,
            "language": _CONTENT_LANGUAGE_OF_POST.get(post.language),
            "original_url": post.original_url or None,
            "source_name": str(source) if source else None,
            "source_feed_url": source.feed_url if source else None,
            "source_site_url": (http_url(source.site_url) or None) if source else None,
            # The source feed's own <updated> is not kept; our copy of its entry was current then.
            "source_updated": self.item_updateddate(post),
        }


class LatestPostsFeed(PostFeed):
    """Every published post: /feeds/latest.atom, .rss and .json."""


class TagFeed(PostFeed):
    """Published posts with one tag: /tags/<slug>/feed.atom, .rss and .json."""

    scope = "tag"

    def get_object(self, request, slug):
        tag = get_object_or_404(Tag, slug=slug)
        # As on the tag page: a tag with no published post does not exist for readers.
        if not Post.objects.published().filter(tags=tag).exists():
            raise Http404(_("No published posts carry this tag."))
        return tag

    def published_posts(self, tag):
        return Post.objects.published().filter(tags=tag)

    def url_kwargs(self, tag):
        return {"slug": tag.slug}

    def title(self, tag):
        return f"{settings.SITE_NAME} · #{tag.name}"

    def description(self, tag):
        return _("Posts tagged “%(name)s”") % {"name": tag.name}

    def link(self, tag):
        return absolute_url(tag.get_absolute_url())


class SeriesFeed(PostFeed):
    """Published parts of one series, newest first: /series/<slug>/feed.atom, .rss and .json."""

    scope = "series"

    def get_object(self, request, slug):
        series = get_object_or_404(Series, slug=slug)
        if not Post.objects.published().filter(series=series).exists():
            raise Http404(_("This series has no published parts yet."))
        return series

    def published_posts(self, series):
        return Post.objects.published().filter(series=series)

    def url_kwargs(self, series):
        return {"slug": series.slug}

    def title(self, series):
        return f"{settings.SITE_NAME} · {series.title}"

    def description(self, series):
        return series.description or _("New parts of the series “%(title)s”") % {"title": series.title}

    def link(self, series):
        return absolute_url(series.get_absolute_url())


class AuthorFeed(PostFeed):
    """One author's published posts: /authors/<username>/feed.atom, .rss and .json."""

    scope = "author"

    def get_object(self, request, username):
        author = get_object_or_404(get_user_model(), username=username, is_active=True)
        # As on the author page: someone without published posts is 404, so accounts can't be probed.
        if not Post.objects.published().filter(author=author).exists():
            raise Http404(_("This author has no published posts."))
        return author

    def published_posts(self, author):
        return Post.objects.published().filter(author=author)

    def url_kwargs(self, author):
        return {"username": author.username}

    def title(self, author):
        return f"{settings.SITE_NAME} · {author.get_full_name() or author.username}"

    def description(self, author):
        return _("Posts by %(author)s") % {"author": author.get_full_name() or author.username}

    def link(self, author):
        return absolute_url(reverse("blog:author", kwargs={"username": author.username}))

    def author_name(self, author):
        return author.get_full_name() or author.username

    def author_link(self, author):
        return self.link(author)


# --- the subscribe page -------------------------------------------------------------------------

SUBSCRIBE_PAGE_TAGS = 40


@cached_for_readers
def subscribe(request):
    """The "Subscribe" page: the site's feeds, then every format of each series, tag and author."""
    published = Post.objects.published()
    series = with_published_posts(Series.objects, "series").order_by("title").only("title", "slug")
    tags = (
        Tag.objects.filter(tagged_posts__content_object__in=published.values("pk"))
        .annotate(post_count=Count("tagged_posts"))
        .order_by("-post_count", "name")[:SUBSCRIBE_PAGE_TAGS]
    )
    authors = with_published_posts(get_user_model().objects.filter(is_active=True), "author").order_by(
        "username"
    )
    context = {
        "site_feeds": [(link, absolute_url(link.url)) for link in feed_links("latest", settings.SITE_NAME)],
        "series_list": [(item, series_feed_links(item)) for item in series],
        "tags": [(tag, tag_feed_links(tag)) for tag in tags],
        "authors": [(author, author_feed_links(author)) for author in authors],
    }
    return render(request, "blog/subscribe.html", context)
