"""What readers may see of the blog: the one definition, as a queryset filter, in Python and in SQL.

A post is *live* while its status is published or scheduled, and *visible* to readers once it
is live and its publication time has come. A scheduled post therefore becomes visible at its
time without any write, and a live post has a search document from the moment it is live, so
that it is found the instant it becomes visible.

Every caller goes through this module: `Post.objects.published()` (the queryset filter),
`Post.is_live` (the Python predicate, for one post already in memory), the search index (which
indexes live posts) and the database triggers that keep a search document's visibility in step
with its post (search migration 0011 writes `LIVE_STATUSES_SQL` out; migrations cannot import
code that may change, and tests/blog/test_visibility.py checks the trigger against this module).
"""

from django.db import models
from django.db.models import Q
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SCHEDULED = "scheduled", _("Scheduled")
    PUBLISHED = "published", _("Published")


# A list, not a tuple: the model's constraint and index conditions are built from it, and
# their migrations hold a list.
LIVE_STATUSES = [Status.PUBLISHED, Status.SCHEDULED]
# The same statuses as an SQL list, for triggers and raw statements.
LIVE_STATUSES_SQL = "(" + ", ".join(f"'{status.value}'" for status in LIVE_STATUSES) + ")"


def live_q(prefix=""):
    """The filter of posts that are live (visible now or at their time); `prefix` e.g. "post__"."""
    return Q(**{f"{prefix}status__in": LIVE_STATUSES})


def visible_q(prefix=""):
    """The filter of posts readers may see now."""
    return live_q(prefix) & Q(**{f"{prefix}published_at__lte": Now()})


def is_visible(status, published_at, now=None):
    """True when a post with this status and publication time is visible at `now` (default: now)."""
    return status in LIVE_STATUSES and published_at is not None and published_at <= (now or timezone.now())
