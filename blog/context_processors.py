"""Template context shared by every page."""

from django.conf import settings


def site(request):
    """The site's name, for the header and page titles."""
    return {"site_name": settings.SITE_NAME}
