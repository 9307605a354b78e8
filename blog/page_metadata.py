"""What a post page tells search engines and link previews: canonical URL, Open Graph, JSON-LD.

Plain values built from the post and the objects the post view already loads (author, series,
source, prefetched tags), so the metadata adds no query to the page.
"""

import json

from django.conf import settings
from django.urls import reverse

from .absolute_urls import absolute_url
from .models import Post

OPEN_GRAPH_LOCALES = {Post.Language.CHINESE: "zh_CN", Post.Language.ENGLISH: "en_US"}
CONTENT_LANGUAGES = {Post.Language.CHINESE: "zh-Hans", Post.Language.ENGLISH: "en"}

# Inside <script>, "</script>" or "<!--" in a title would end or confuse the element; JSON may
# spell any character as \uXXXX, so these three never appear literally (as in Django's json_script).
_SCRIPT_SAFE = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def canonical_url(post):
    """Return the post's canonical URL: the original's for an ingested post if CANONICAL_TO_ORIGINAL."""
    if settings.CANONICAL_TO_ORIGINAL and post.source_id and post.original_url:
        return post.original_url
    return absolute_url(post.get_absolute_url())


def author_url(post):
    """Return the absolute URL of the post author's page."""
    return absolute_url(reverse("blog:author", kwargs={"username": post.author.username}))


def blog_posting(post, description):
    """Return the schema.org BlogPosting of `post` as a dict ready for JSON-LD."""
    data = {
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "headline": post.title,
        "description": description or None,
        "url": absolute_url(post.get_absolute_url()),
        "mainEntityOfPage": {"@type": "WebPage", "@id": canonical_url(post)},
        "datePublished": post.published_at.isoformat() if post.published_at else None,
        "dateModified": post.updated_at.isoformat() if post.updated_at else None,
        "author": {
            "@type": "Person",
            "name": post.author.get_full_name() or post.author.username,
            "url": author_url(post),
        },
        "publisher": {"@type": "Organization", "name": settings.SITE_NAME, "url": absolute_url("/")},
        "inLanguage": CONTENT_LANGUAGES.get(post.language),
        "keywords": [tag.name for tag in post.tags.all()] or None,
        "isBasedOn": post.original_url or None,
    }
    if post.series_id:
        data["isPartOf"] = {
            "@type": "CreativeWorkSeries",
            "name": post.series.title,
            "url": absolute_url(post.series.get_absolute_url()),
        }
    return {key: value for key, value in data.items() if value is not None}


def script_safe_json(data):
    """Return `data` as JSON that is safe between <script> and </script> whatever its strings hold."""
    return json.dumps(data, ensure_ascii=False).translate(_SCRIPT_SAFE)


def post_page_metadata(post):
    """Return the template context of a post page's <head> metadata."""
    description = post.excerpt_text
    return {
        "canonical_url": canonical_url(post),
        "title": post.title,
        "description": description,
        "site_name": settings.SITE_NAME,
        "locale": OPEN_GRAPH_LOCALES.get(post.language, "zh_CN"),
        "published_at": post.published_at,
        "updated_at": post.updated_at,
        "author_url": author_url(post),
        "tags": [tag.name for tag in post.tags.all()],
        "json_ld": script_safe_json(blog_posting(post, description)),
    }
