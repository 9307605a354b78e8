"""Absolute URLs for things read away from the site: feeds, sitemaps, canonical links, WebSub.

They are built from the one SITE_URL setting, never from the request's Host header, so a feed
fetched through another host name (a proxy, the bare IP) still carries the same permalinks and
ids, and one cached copy serves every reader.
"""

import re
from html import unescape
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.utils.html import escape


def absolute_url(path_or_url):
    """Return `path_or_url` made absolute against SITE_URL (absolute URLs are returned as they are)."""
    return urljoin(settings.SITE_URL + "/", path_or_url)


def site_host():
    """Return the host name of SITE_URL, e.g. "example.com" (no port)."""
    return urlsplit(settings.SITE_URL).hostname or "localhost"


# Only on the sanitizer's output (blog.markdown, blog.excerpts): nh3 writes every attribute as
# name="value" with &, < and " escaped inside, so a quoted href/src cannot be faked by text.
_LINK_ATTRIBUTE_RE = re.compile(r'(<(?:a|img)\b[^>]*?\s(?:href|src)=")([^"]*)(")', re.IGNORECASE)


def make_links_absolute(html, base_url):
    """Return sanitized `html` with every relative link and image URL resolved against `base_url`.

    Reader apps show an item away from the site, where "/media/x.png" or "#fn1" would point at
    the reader's own origin; "#fn1" becomes "<permalink>#fn1". Absolute and data: URLs are kept.
    """

    def resolve(match):
        url = unescape(match.group(2))
        return f"{match.group(1)}{escape(urljoin(base_url, url))}{match.group(3)}"

    return _LINK_ATTRIBUTE_RE.sub(resolve, html)
