"""A reader's private Atom feed of what they follow, at /feeds/me/<token>.atom.

Built on blog.feeds.PostFeed, so an item looks exactly as in the public feeds. Unlike those it
is never cached: it depends on the reader's follows, which change without touching the content
version, and its URL is a secret that must stop working the moment the token is replaced.
"""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from blog.absolute_urls import absolute_url
from blog.feeds import PostFeed

from .following import followed_posts
from .models import FeedToken


class PersonalFeed(PostFeed):
    """Published posts from the reader's follows; the object is the reader, found by token."""

    scope = "personal"

    def __call__(self, request, *args, **kwargs):
        with translation.override(settings.LANGUAGE_CODE):
            response = Feed.__call__(self, request, *args, **kwargs)
        response["Cache-Control"] = "private, no-store"
        response["X-Robots-Tag"] = "noindex"
        return response

    def get_object(self, request, token):
        feed_token = (
            FeedToken.objects.select_related("user").filter(token=token, user__is_active=True).first()
        )
        if feed_token is None:
            raise Http404(
                _("This private feed address is not valid any more. Copy the new one from your account.")
            )
        return feed_token

    def published_posts(self, feed_token):
        return followed_posts(feed_token.user)

    def title(self, feed_token):
        return f"{settings.SITE_NAME} · {_('Following')}"

    def description(self, feed_token):
        return _("New posts from the tags, series, authors and sources you follow")

    def link(self, feed_token):
        return absolute_url(reverse("accounts:me"))

    def feed_url(self, feed_token):
        return absolute_url(reverse("personal_feed", kwargs={"token": feed_token.token}))
