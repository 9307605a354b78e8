"""Template filters of the blog."""

from django import template

from blog.excerpts import excerpt_as_text

register = template.Library()


@register.filter
def plain_excerpt(excerpt_html):
    """The excerpt as plain text with formulas as $TeX$, e.g. for <meta name="description">."""
    return excerpt_as_text(excerpt_html or "")
