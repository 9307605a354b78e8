"""Feeds built to make feedparser's regular expressions take quadratic time are read in
bounded time, and their entries still arrive.

Each input here took feedparser alone from seconds to minutes: a one-line feed with
`encoding="` inside an entry (its XML-declaration pattern), long RSS authors (its e-mail
finder), and a prolog of blank lines (its DOCTYPE finder). The bound is generous; what it
guards against grows with the square of the input.
"""

import time

import pytest

from blog.ingest.fetch import fetch
from blog.ingest.parse import parse_feed
from blog.ingest.poll import poll_source
from blog.models import Post, Source
from tests.blog.feed_samples import entries, rss

BOUND = 3.0  # seconds


@pytest.fixture(autouse=True)
def allow_loopback(settings):
    settings.INGEST_ALLOW_PRIVATE = True


def one_line_feed_with_encoding_in_an_entry():
    """About 600 KB on one line; every entry's text says encoding="gbk" among many quotes."""
    items = entries(100)
    for item in items:
        item["html"] = "<p>" + 'Set encoding="gbk" in the declaration, they said "really". ' * 100 + "</p>"
    return rss(items).replace("\n", "").replace("&quot;", '"').encode()


def feed_with_long_authors():
    """Twenty entries whose RSS author, dc:creator or itunes:author is 16 KB long."""
    items = entries(20)
    body = rss(items).replace(
        '<rss version="2.0">',
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd">',
    )
    elements = ["author", "dc:creator", "itunes:author", "managingEditor"]
    for i in range(20):
        name = elements[i % len(elements)]
        long_name = "张三" + "a" * 16_000 if i % 2 else "<![CDATA[张三" + "1." * 8_000 + "]]>"
        body = body.replace(
            f'<guid isPermaLink="false">post-{i}</guid>', f"<guid>post-{i}</guid><{name}>{long_name}</{name}>"
        )
    return body.encode()


def feed_after_blank_lines():
    """A feed whose XML declaration is followed by 100,000 blank lines."""
    return rss(entries(3)).replace("?>\n", "?>" + "\n" * 100_000, 1).encode()


def served(httpserver, body):
    httpserver.expect_request("/feed.xml").respond_with_data(body, content_type="application/rss+xml")
    return httpserver.url_for("/feed.xml")


def timed_parse(url):
    result = fetch(url)
    started = time.monotonic()
    parsed = parse_feed(result.body, result.headers.get("content-type", ""), result.url)
    return parsed, time.monotonic() - started


@pytest.mark.django_db
def test_a_one_line_feed_mentioning_encoding_is_read_in_bounded_time(httpserver):
    body = one_line_feed_with_encoding_in_an_entry()
    assert len(body) > 550_000 and body.count(b"\n") == 0
    url = served(httpserver, body)
    parsed, seconds = timed_parse(url)
    assert seconds < BOUND
    assert len(parsed.entries) == 100 and not parsed.warning
    assert parsed.entries[99].html.count('encoding="gbk"') == 100
    assert len(poll_source(Source.objects.create(feed_url=url).pk).report.created) == 100


@pytest.mark.django_db
def test_long_authors_are_cut_short_in_bounded_time(httpserver):
    url = served(httpserver, feed_with_long_authors())
    parsed, seconds = timed_parse(url)
    assert seconds < BOUND
    assert len(parsed.entries) == 20 and not parsed.warning
    assert all(entry.author.startswith("张三") and len(entry.author) <= 300 for entry in parsed.entries)
    assert [entry.title for entry in parsed.entries] == [item["title"] for item in entries(20)]
    poll_source(Source.objects.create(feed_url=url).pk)
    assert Post.objects.count() == 20


@pytest.mark.django_db
def test_a_prolog_of_blank_lines_is_read_in_bounded_time(httpserver):
    url = served(httpserver, feed_after_blank_lines())
    parsed, seconds = timed_parse(url)
    assert seconds < BOUND
    assert [entry.guid for entry in parsed.entries] == ["post-0", "post-1", "post-2"]


def test_a_document_over_the_size_limit_is_not_parsed(settings):
    settings.INGEST_MAX_BYTES = 1000
    parsed = parse_feed(rss(entries(20)).encode())
    assert not parsed.is_feed and parsed.entries == [] and "more than the 1,000-byte limit" in parsed.warning
