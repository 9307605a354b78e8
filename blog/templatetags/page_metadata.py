"""{% post_metadata post %}: canonical link, Open Graph, Twitter card and JSON-LD of a post page."""

from django import template

from blog.page_metadata import post_page_metadata

register = template.Library()


@register.inclusion_tag("blog/_post_metadata.html")
def post_metadata(post):
    """Render the <head> metadata of `post` (see blog.page_metadata)."""
    return post_page_metadata(post)
