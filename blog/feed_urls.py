"""URLs of the feeds and the Subscribe page (included by blog.urls, so names are "blog:…").

Each scope has an Atom and an RSS twin; the site-wide feed also comes as JSON Feed.
"""

from django.urls import path

from .feeds import AuthorFeed, LatestPostsFeed, SeriesFeed, TagFeed, subscribe

urlpatterns = [
    path("feeds/latest.atom", LatestPostsFeed("atom"), name="latest_feed_atom"),
    path("feeds/latest.rss", LatestPostsFeed("rss"), name="latest_feed_rss"),
    path("feeds/latest.json", LatestPostsFeed("json"), name="latest_feed_json"),
    path("tags/<slug:slug>/feed.atom", TagFeed("atom"), name="tag_feed_atom"),
    path("tags/<slug:slug>/feed.rss", TagFeed("rss"), name="tag_feed_rss"),
    path("series/<slug:slug>/feed.atom", SeriesFeed("atom"), name="series_feed_atom"),
    path("series/<slug:slug>/feed.rss", SeriesFeed("rss"), name="series_feed_rss"),
    path("authors/<str:username>/feed.atom", AuthorFeed("atom"), name="author_feed_atom"),
    path("authors/<str:username>/feed.rss", AuthorFeed("rss"), name="author_feed_rss"),
    path("subscribe/", subscribe, name="subscribe"),
]
