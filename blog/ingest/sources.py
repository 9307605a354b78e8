"""Adding a source by URL: a feed URL, or a page that advertises its feed."""

from dataclasses import dataclass

from blog.models import Source

from . import messages
from .fetch import FetchError, fetch
from .links import http_url
from .parse import discover_feed_urls, parse_feed
from .plain_text import plain_text

MAX_TITLE_LENGTH = 200  # Source.title


class SourceError(Exception):
    """The URL could not become a source; the message tells the editor what to try."""


@dataclass
class DiscoveredFeed:
    """A feed found at a URL: its plain-text title and its http(s) site URL ("" if it has none)."""

    feed_url: str
    title: str
    site_url: str

    @classmethod
    def of(cls, feed_url, parsed, page_url=""):
        """The feed as the source stores it; the page it was found on stands in for a missing site."""
        site_url = http_url(parsed.site_url) or http_url(page_url)
        return cls(feed_url, plain_text(parsed.title, max_length=MAX_TITLE_LENGTH), site_url)


def discover_feed(url):
    """Find the feed at `url` (or the one its page links to) and read its title and site."""
    try:
        result = fetch(url)
        parsed = parse_feed(result.body, result.headers.get("content-type", ""), result.url)
        if parsed.is_feed:
            return DiscoveredFeed.of(result.url, parsed)
        candidates = discover_feed_urls(result.body, result.url)
        if not candidates:
            raise SourceError(messages.NO_FEED_FOUND % {"url": url})
        feed = fetch(candidates[0])
        parsed = parse_feed(feed.body, feed.headers.get("content-type", ""), feed.url)
        if not parsed.is_feed:
            raise SourceError(messages.LINKED_FEED_UNREADABLE % {"url": candidates[0]})
        return DiscoveredFeed.of(feed.url, parsed, page_url=result.url)
    except FetchError as error:
        raise SourceError(messages.CANNOT_FETCH % {"url": url, "reason": error}) from None


def add_source(url, *, tags="", review=False, **fields):
    """Create the source for `url` (discovering its feed), or raise SourceError."""
    found = discover_feed(url)
    if Source.objects.filter(feed_url=found.feed_url).exists():
        raise SourceError(messages.ALREADY_A_SOURCE % {"url": found.feed_url})
    return Source.objects.create(
        feed_url=found.feed_url,
        title=found.title,
        site_url=found.site_url,
        default_tags=tags,
        publish_immediately=not review,
        **fields,
    )
