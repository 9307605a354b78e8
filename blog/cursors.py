"""Keyset ("cursor") pagination over (published_at, id), newest first.

Page 500 costs what page 1 costs, because each page starts from an index position rather
than an OFFSET; and a post published while someone pages only appears on the first page,
so items never repeat or vanish between pages.
"""

import base64
import binascii
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db.models import Q

# Ids are bigint primary keys: a cursor we made never points outside 1 .. 2**63 - 1.
LARGEST_POST_ID = 2**63 - 1


class InvalidCursor(ValueError):
    """The cursor in the URL was not made by us (edited, truncated or from an old format)."""


def encode_cursor(post):
    """Return the opaque URL-safe token that points just past `post`."""
    raw = f"{post.published_at.isoformat()}|{post.pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(token):
    """Return (published_at in UTC, id) from a token made by encode_cursor, or raise InvalidCursor.

    Only values the database can compare against pass: Python accepts offsets up to ±23:59,
    PostgreSQL only up to ±15:59, and "0001-01-01T00:00+23:59" is year 0 in UTC, which neither
    can hold; so the moment is converted to UTC here (where that overflows, the cursor is
    invalid) and the id must fit the bigint column.
    """
    try:
        padded = token + "=" * (-len(token) % 4)
        published_at, post_id = base64.urlsafe_b64decode(padded.encode("ascii")).decode().split("|")
        moment = datetime.fromisoformat(published_at)
        if moment.tzinfo is None:
            raise ValueError("naive time")
        moment = moment.astimezone(UTC)
        post_id = int(post_id)
        if not 1 <= post_id <= LARGEST_POST_ID:
            raise ValueError("id out of range")
        return moment, post_id
    except (ValueError, OverflowError, UnicodeError, binascii.Error) as error:
        raise InvalidCursor(str(error)) from None


@dataclass
class TimelinePage:
    """One page of posts plus the cursors of its neighbours (None where there is none)."""

    posts: list
    older: str | None
    newer: str | None


def timeline_page(queryset, *, before=None, after=None, size=20):
    """Return the page of `queryset` older than cursor `before`, or newer than cursor `after`.

    `queryset` must not be ordered yet. Raises InvalidCursor for a cursor we did not make.
    """
    if after:
        moment, post_id = decode_cursor(after)
        # Walk forward in time from the cursor, then show the page newest first.
        rows = list(
            queryset.filter(Q(published_at__gt=moment) | Q(published_at=moment, id__gt=post_id))
            .filter(published_at__gte=moment)
            .order_by("published_at", "id")[: size + 1]
        )
        has_newer = len(rows) > size
        posts = list(reversed(rows[:size]))
        return TimelinePage(
            posts=posts,
            older=encode_cursor(posts[-1]) if posts else None,
            newer=encode_cursor(posts[0]) if posts and has_newer else None,
        )
    if before:
        moment, post_id = decode_cursor(before)
        # The plain `published_at <= moment` lets Postgres start the index scan at the cursor;
        # the OR then drops the rows at the cursor's own time that were already shown.
        queryset = queryset.filter(published_at__lte=moment).filter(
            Q(published_at__lt=moment) | Q(published_at=moment, id__lt=post_id)
        )
    rows = list(queryset.order_by("-published_at", "-id")[: size + 1])
    posts = rows[:size]
    return TimelinePage(
        posts=posts,
        older=encode_cursor(posts[-1]) if len(rows) > size else None,
        newer=encode_cursor(posts[0]) if before and posts else None,
    )
