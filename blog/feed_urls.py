"""URLs of the feeds and the Subscribe page (included by blog.urls, so names are "blog:…").

Every scope (the whole site, a tag, a series, an author) comes in every format of
blog.feeds.FEED_FORMATS, named "blog:<scope>_feed_<format>", at "<scope page>/feed.<format>".
"""

from django.urls import path

from .feeds import FEED_FORMATS, AuthorFeed, LatestPostsFeed, SeriesFeed, TagFeed, subscribe

SCOPES = [
    ("latest", "feeds/latest", LatestPostsFeed),
    ("tag", "tags/<slug:slug>/feed", TagFeed),
    ("series", "series/<slug:slug>/feed", SeriesFeed),
    ("author", "authors/<str:username>/feed", AuthorFeed),
]

urlpatterns = [
    *(
        path(f"{route}.{feed_format}", feed_class(feed_format), name=f"{scope}_feed_{feed_format}")
        for scope, route, feed_class in SCOPES
        for feed_format in FEED_FORMATS
    ),
    path("subscribe/", subscribe, name="subscribe"),
]
