"""{% related_posts post %}: the "read next" list at the end of a post page.

The search app owns it, so the blog's templates may show it while blog imports nothing of
search. The page cache keeps its one query with the page.
"""

from django import template

from search.related import related_posts as find_related_posts

register = template.Library()


@register.inclusion_tag("search/_related_posts.html")
def related_posts(post):
    """Render the published posts related to `post` (none for a post readers cannot see yet)."""
    return {"related": find_related_posts(post.pk) if post.is_live else []}
