"""Keyset cursors: any token either names a moment and an id the database can compare, or is refused."""

import base64
import contextlib
from datetime import UTC, datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
from django.db import transaction
from hypothesis import given, strategies
from hypothesis import settings as hypothesis_settings

from blog.cursors import LARGEST_POST_ID, InvalidCursor, decode_cursor, encode_cursor, timeline_page
from blog.models import Post

pytestmark = pytest.mark.django_db

deterministic = hypothesis_settings(max_examples=200, deadline=None, database=None, derandomize=True)

# Every offset Python allows (±23:59), well past the ±15:59 that PostgreSQL accepts.
offsets = strategies.builds(
    timezone,
    strategies.timedeltas(
        min_value=timedelta(hours=-23, minutes=-59), max_value=timedelta(hours=23, minutes=59)
    ),
)
moments = strategies.datetimes(timezones=offsets)
ids = strategies.integers(min_value=-(2**70), max_value=2**70)


def token_of(text):
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@deterministic
@given(moment=moments, post_id=ids)
def test_a_cursor_is_refused_or_one_the_database_can_page_from(moment, post_id):
    token = token_of(f"{moment.isoformat()}|{post_id}")
    try:
        decoded_moment, decoded_id = decode_cursor(token)
    except InvalidCursor:
        return
    assert decoded_moment == moment and decoded_moment.utcoffset() == timedelta(0)
    assert 1 <= decoded_id <= LARGEST_POST_ID
    with transaction.atomic():  # the database itself is the judge
        timeline_page(Post.objects.published(), before=token, size=1)
        timeline_page(Post.objects.published(), after=token, size=1)


# Text as found in a URL, and text that base64 turns into something decode_cursor reads further.
tokens = strategies.one_of(strategies.text(max_size=80), strategies.text(max_size=60).map(token_of))


@deterministic
@given(token=tokens)
def test_any_token_is_invalid_or_in_range_never_another_error(token):
    with contextlib.suppress(InvalidCursor):
        moment, post_id = decode_cursor(token)
        assert moment.utcoffset() == timedelta(0) and 1 <= post_id <= LARGEST_POST_ID


@deterministic
@given(
    moment=strategies.datetimes(timezones=strategies.just(UTC)),
    post_id=strategies.integers(1, LARGEST_POST_ID),
)
def test_every_cursor_we_make_decodes_to_where_it_points(moment, post_id):
    assert decode_cursor(encode_cursor(SimpleNamespace(published_at=moment, pk=post_id))) == (moment, post_id)


def test_a_moment_beyond_year_one_or_9999_in_utc_is_invalid():
    for text in ["0001-01-01T00:00:00+23:59|1", "9999-12-31T23:59:59-23:59|1"]:
        with pytest.raises(InvalidCursor):
            decode_cursor(token_of(text))
    assert decode_cursor(token_of("0001-01-01T23:59:00+23:59|1"))[0] == datetime(1, 1, 1, tzinfo=UTC)
