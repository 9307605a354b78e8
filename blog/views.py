"""Public pages: the timeline, posts, tags, series, authors and the archive.

Every list goes through Post.objects.published(), the one definition of what readers see.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count
from django.db.models.functions import ExtractYear
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static
from django.utils.translation import gettext as _

from .cursors import InvalidCursor, timeline_page
from .feeds import author_feed_links, post_feed_links, series_feed_links, tag_feed_links
from .models import Post, Series, SlugRedirect, Tag
from .page_cache import cached_for_readers
from .permissions import may_edit_post
from .timeline_filters import PostFilter


def paged_timeline(request, queryset, template, context, *, empty_first_page_message=None):
    """Render `template` with one keyset page of `queryset`; a forged cursor gets a 400 page.

    With `empty_first_page_message`, a first page with no posts is a 404 saying so (the page's
    own query answers that; no separate count is needed).
    """
    try:
        page = timeline_page(
            queryset.for_listing(),
            before=request.GET.get("before"),
            after=request.GET.get("after"),
            size=settings.TIMELINE_PAGE_SIZE,
        )
    except InvalidCursor:
        return render(
            request,
            "400.html",
            {"message": _("This page link is damaged. Start again from the newest posts.")},
            status=400,
        )
    first_page = not request.GET.get("before") and not request.GET.get("after")
    if empty_first_page_message and first_page and not page.posts:
        raise Http404(empty_first_page_message)
    attach_series_positions(page.posts)
    return render(request, template, {**context, "page": page, "posts": page.posts})


def attach_series_positions(posts):
    """Set `series_position` and `series_total` (among published parts) on posts in a series.

    One query for the whole page: the published part numbers of every series shown.
    """
    series_ids = {post.series_id for post in posts if post.series_id}
    if not series_ids:
        return
    orders = {}
    for series_id, order in (
        Post.objects.published()
        .filter(series_id__in=series_ids)
        .order_by("series_order")
        .values_list("series_id", "series_order")
    ):
        orders.setdefault(series_id, []).append(order)
    for post in posts:
        parts = orders.get(post.series_id)
        if parts and post.series_order in parts:
            post.series_position = parts.index(post.series_order) + 1
            post.series_total = len(parts)


@cached_for_readers
def timeline(request):
    """The "Latest updates" front page, narrowed by the filters of blog.timeline_filters (combinable)."""
    timeline_filter = PostFilter.from_query(request.GET)
    posts = timeline_filter.apply(Post.objects.published())
    return paged_timeline(request, posts, "blog/timeline.html", {"filter": timeline_filter})


def redirect_from_old_address(request, slug):
    """A permanent redirect from a post's former slug to where it lives now, else 404.

    Only to a post this reader could open: an old address must not reveal a draft's new one.
    """
    old = SlugRedirect.objects.filter(old_slug=slug).select_related("post").first()
    if old is None or not (old.post.is_live or may_edit_post(request.user, old.post)):
        raise Http404(_("No post is published at this address."))
    query = request.META.get("QUERY_STRING", "")
    return HttpResponsePermanentRedirect(old.post.get_absolute_url() + (f"?{query}" if query else ""))


@cached_for_readers
def post_detail(request, slug):
    """One post; drafts and future posts are 404 except for those who may edit that post."""
    posts = Post.objects.select_related("author__author_profile", "series", "source").prefetch_related("tags")
    if not request.user.has_perm("blog.change_post"):
        posts = posts.published()
    post = posts.filter(slug=slug).first()
    if post is None:
        return redirect_from_old_address(request, slug)
    if not post.is_live and not may_edit_post(request.user, post):
        raise Http404(_("No post is published at this address."))
    series_posts = []
    if post.series_id:
        series_posts = list(
            Post.objects.published()
            .filter(series_id=post.series_id)
            .order_by("series_order", "id")
            .only("id", "title", "slug", "series_order")
        )
    position = next((i for i, item in enumerate(series_posts) if item.pk == post.pk), None)
    context = {
        "post": post,
        "feeds": post_feed_links(post),
        "series_posts": series_posts,
        "series_part": position + 1 if position is not None else None,
        "previous_in_series": series_posts[position - 1] if position else None,
        "next_in_series": (
            series_posts[position + 1] if position is not None and position + 1 < len(series_posts) else None
        ),
    }
    return render(request, "blog/post_detail.html", context)


@cached_for_readers
def tag_detail(request, slug):
    """Published posts with one tag; a tag with none is 404."""
    tag = get_object_or_404(Tag, slug=slug)
    return paged_timeline(
        request,
        Post.objects.published().filter(tags=tag),
        "blog/tag_detail.html",
        {"tag": tag, "feeds": tag_feed_links(tag)},
        empty_first_page_message=_("No published posts carry this tag."),
    )


@cached_for_readers
def series_detail(request, slug):
    """A series' published parts in order; a series with none is 404."""
    series = get_object_or_404(Series, slug=slug)
    posts = list(Post.objects.published().filter(series=series).for_listing().order_by("series_order", "id"))
    if not posts:
        raise Http404(_("This series has no published parts yet."))
    context = {"series": series, "posts": posts, "feeds": series_feed_links(series)}
    return render(request, "blog/series_detail.html", context)


@cached_for_readers
def author_detail(request, username):
    """An author's published posts; someone with none is 404, so accounts cannot be probed."""
    author = get_object_or_404(
        get_user_model().objects.select_related("author_profile"), username=username, is_active=True
    )
    return paged_timeline(
        request,
        Post.objects.published().filter(author=author),
        "blog/author_detail.html",
        {"author": author, "feeds": author_feed_links(author)},
        empty_first_page_message=_("This author has no published posts."),
    )


@cached_for_readers
def archive_index(request):
    """Years with published posts and how many each has."""
    years = (
        Post.objects.published()
        .annotate(year=ExtractYear("published_at"))
        .values("year")
        .annotate(count=Count("id"))
        .order_by("-year")
    )
    return render(request, "blog/archive_index.html", {"years": list(years)})


@cached_for_readers
def archive_year(request, year):
    """Every published post of one year (in the site's time zone), newest first."""
    posts = list(
        Post.objects.published()
        .filter(published_at__year=year)
        .select_related("series")
        .only("id", "title", "slug", "published_at", "series__title", "series__slug")
        .order_by("-published_at", "-id")
    )
    if not posts:
        raise Http404(_("No posts were published in %(year)s.") % {"year": year})
    return render(request, "blog/archive_year.html", {"year": year, "posts": posts})


def favicon(request):
    """/favicon.ico, which browsers ask for on pages that name no icon (the admin's)."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))
