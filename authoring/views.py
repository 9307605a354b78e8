"""The one authoring page outside the admin: a draft shown through its preview link."""

from django.shortcuts import get_object_or_404, render

from blog.models import Post

from .preview_links import PreviewLinkInvalid, post_id_for_preview


def preview(request, token):
    """A draft shown through a signed preview link, to anyone holding the link, until it expires."""
    try:
        post_id = post_id_for_preview(token)
    except PreviewLinkInvalid:
        return render(request, "authoring/preview_invalid.html", status=404)
    post = get_object_or_404(
        Post.objects.select_related("author", "series", "source").prefetch_related("tags"), pk=post_id
    )
    response = render(request, "blog/post_detail.html", {"post": post, "preview": True, "series_posts": []})
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
