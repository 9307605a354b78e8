"""Buttons and blocks that accounts puts into blog pages.

Bookmark and follow buttons carry a CSRF token and per-reader state, so templates must render
them only inside `{% if user.is_authenticated %}`: the page cache serves the same HTML to every
anonymous reader. The reader's bookmarks and follows are read once per request, however many
buttons a page has.
"""

from django import template

from ..following import follow_ids
from ..models import AuthorProfile, Bookmark

register = template.Library()


def _bookmarked_ids(request):
    if not hasattr(request, "_bookmarked_post_ids"):
        request._bookmarked_post_ids = set(
            Bookmark.objects.filter(user=request.user).values_list("post_id", flat=True)
        )
    return request._bookmarked_post_ids


def _followed_ids(request):
    if not hasattr(request, "_followed_ids"):
        request._followed_ids = follow_ids(request.user)
    return request._followed_ids


@register.inclusion_tag("accounts/_bookmark_button.html", takes_context=True)
def bookmark_button(context, post):
    """A "save for later" / "saved" toggle for `post` (logged-in readers only)."""
    request = context["request"]
    return {
        "post": post,
        "is_bookmarked": post.pk in _bookmarked_ids(request),
        "next": request.get_full_path(),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("accounts/_follow_button.html", takes_context=True)
def follow_button(context, kind, target, label=""):
    """A follow / unfollow toggle for a tag, series, author or source (logged-in readers only)."""
    request = context["request"]
    return {
        "kind": kind,
        "target": target,
        "label": label or str(target),
        "is_following": target.pk in _followed_ids(request)[kind],
        "next": request.get_full_path(),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("accounts/_author_profile.html")
def author_profile(author, heading="h2"):
    """The author's profile block (avatar, name, bio, links); nothing for an author without one."""
    if "author_profile" in author._state.fields_cache:  # the view used select_related: no query
        profile = author._state.fields_cache["author_profile"]
    else:
        profile = AuthorProfile.objects.filter(user=author).first()
    return {"profile": profile, "author": author, "heading": heading}
