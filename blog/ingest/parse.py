"""Reading RSS/Atom documents with feedparser into plain entries, and finding a page's feed."""

import calendar
import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from urllib.parse import urljoin

import feedparser

# Chinese feeds often declare GB2312 or GBK but use characters only GB18030 has; decoding
# with the superset first keeps them instead of turning the whole feed into mojibake.
CHINESE_ENCODINGS = re.compile(rb"""encoding\s*=\s*["'](gb2312|gbk|gb18030|x-gbk)["']""", re.IGNORECASE)
CHARSET_RE = re.compile(r"charset\s*=\s*[\"']?([\w-]+)", re.IGNORECASE)
FEED_TYPES = {"application/atom+xml", "application/rss+xml", "application/rdf+xml", "application/feed+json"}


@dataclass
class Entry:
    """One feed entry, reduced to what a post needs."""

    guid: str
    link: str
    title: str
    html: str
    published: datetime | None
    updated: datetime | None
    tags: list = field(default_factory=list)
    author: str = ""


@dataclass
class ParsedFeed:
    """A parsed feed: its title and site, its entries, and any problems met while reading."""

    title: str
    site_url: str
    entries: list
    warning: str = ""
    is_feed: bool = True


def _as_utf8(body, content_type):
    """Re-encode a GB-family feed as UTF-8 (decoded as GB18030), leaving others as they are."""
    declared = CHINESE_ENCODINGS.search(body[:500])
    header_charset = CHARSET_RE.search(content_type or "")
    header_says_gb = header_charset and header_charset.group(1).lower() in {
        "gb2312",
        "gbk",
        "gb18030",
        "x-gbk",
    }
    if not declared and not header_says_gb:
        return body, content_type
    text = body.decode("gb18030", errors="replace")
    text = re.sub(r"""encoding\s*=\s*["'][\w-]+["']""", 'encoding="utf-8"', text, count=1)
    content_type = CHARSET_RE.sub("charset=utf-8", content_type or "application/xml")
    return text.encode("utf-8"), content_type


def _moment(parsed_time):
    if not parsed_time:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(parsed_time), tz=UTC)
    except (OverflowError, ValueError, TypeError):
        return None


def _entry_html(entry):
    for content in entry.get("content") or []:
        if content.get("value"):
            return content["value"]
    return entry.get("summary") or entry.get("description") or ""


def _entry_guid(entry, html):
    """The entry's id, else its link, else a hash of its title and content."""
    for key in ("id", "guid", "link"):
        value = (entry.get(key) or "").strip()
        if value:
            return value[:1000]
    digest = hashlib.sha256(f"{entry.get('title', '')}\n{html}".encode()).hexdigest()
    return f"sha256:{digest}"


def parse_feed(body, content_type="", url=""):
    """Parse feed bytes; an ill-formed feed yields what could be read plus a warning."""
    body, content_type = _as_utf8(body, content_type)
    parsed = feedparser.parse(
        body,
        response_headers={"content-type": content_type or "application/xml", "content-location": url},
        sanitize_html=False,  # sanitized by our own allowlist after formulas are lifted out
        resolve_relative_uris=True,
    )
    warning = ""
    if parsed.get("bozo"):
        warning = f"{type(parsed.get('bozo_exception')).__name__}: {parsed.get('bozo_exception')}"[:500]
    entries = []
    for raw in parsed.entries:
        html = _entry_html(raw)
        link = urljoin(url, (raw.get("link") or "").strip()) if raw.get("link") else ""
        entries.append(
            Entry(
                guid=_entry_guid(raw, html),
                link=link,
                title=" ".join((raw.get("title") or "").split())[:200],
                html=html,
                published=_moment(raw.get("published_parsed")) or _moment(raw.get("updated_parsed")),
                updated=_moment(raw.get("updated_parsed")),
                tags=[tag.get("term", "").strip()[:100] for tag in raw.get("tags") or [] if tag.get("term")],
                author=(raw.get("author") or "")[:200],
            )
        )
    feed = parsed.get("feed", {})
    is_feed = bool(parsed.get("version")) or bool(entries)
    return ParsedFeed(
        title=" ".join((feed.get("title") or "").split())[:200],
        site_url=(feed.get("link") or "")[:1000],
        entries=entries,
        warning=warning if is_feed else "",
        is_feed=is_feed,
    )


class _AlternateLinks(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        if tag != "link":
            return
        attributes = {name: (value or "") for name, value in attrs}
        rel = attributes.get("rel", "").lower().split()
        kind = attributes.get("type", "").lower().split(";")[0].strip()
        if "alternate" in rel and kind in FEED_TYPES and attributes.get("href"):
            self.found.append(attributes["href"])


def discover_feed_urls(html_bytes, page_url):
    """The feed URLs a web page advertises with <link rel="alternate" type="…+xml">."""
    parser = _AlternateLinks()
    parser.feed(html_bytes.decode("utf-8", errors="replace")[:500_000])
    return [urljoin(page_url, href) for href in parser.found]
