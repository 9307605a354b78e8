"""Fetching feeds from real HTTP servers on loopback: conditional GET, redirects, limits, SSRF."""

import gzip
import time

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from blog.ingest.fetch import BlockedAddress, FetchError, fetch
from blog.ingest.poll import poll_source
from blog.models import Source
from tests.blog.feed_samples import entries, rss

FEED = rss(entries(2)).encode()


@pytest.fixture
def allow_loopback(settings):
    settings.INGEST_ALLOW_PRIVATE = True
    settings.INGEST_TOTAL_TIMEOUT = 5


def test_conditional_get_gets_304_and_keeps_validators(httpserver, allow_loopback):
    httpserver.expect_request("/feed.xml", headers={"If-None-Match": '"v1"'}).respond_with_data(
        "", status=304
    )
    httpserver.expect_request("/feed.xml").respond_with_data(
        FEED,
        content_type="application/rss+xml",
        headers={"ETag": '"v1"', "Last-Modified": "Wed, 25 Nov 2026"},
    )
    first = fetch(httpserver.url_for("/feed.xml"))
    assert first.status == 200 and first.etag == '"v1"' and first.body == FEED
    second = fetch(httpserver.url_for("/feed.xml"), etag=first.etag, last_modified=first.last_modified)
    assert second.status == 304 and second.body == b""


def test_user_agent_names_the_fetcher(httpserver, allow_loopback):
    httpserver.expect_request("/feed.xml").respond_with_data(FEED)
    fetch(httpserver.url_for("/feed.xml"))
    request, _ = httpserver.log[0]
    assert request.headers["User-Agent"].startswith("Inkstone feed fetcher (+http")


@pytest.mark.django_db
def test_permanent_redirect_updates_the_stored_url(httpserver, allow_loopback):
    new_url = httpserver.url_for("/new.xml")
    httpserver.expect_request("/old.xml").respond_with_data("", status=301, headers={"Location": "/new.xml"})
    httpserver.expect_request("/new.xml").respond_with_data(FEED, content_type="application/rss+xml")
    source = Source.objects.create(feed_url=httpserver.url_for("/old.xml"))
    result = poll_source(source.pk)
    assert result.status == "stored" and len(result.report.created) == 2
    source.refresh_from_db()
    assert source.feed_url == new_url


@pytest.mark.django_db
def test_temporary_redirect_keeps_the_stored_url(httpserver, allow_loopback):
    httpserver.expect_request("/old.xml").respond_with_data("", status=302, headers={"Location": "/new.xml"})
    httpserver.expect_request("/new.xml").respond_with_data(FEED)
    source = Source.objects.create(feed_url=httpserver.url_for("/old.xml"))
    poll_source(source.pk)
    source.refresh_from_db()
    assert source.feed_url.endswith("/old.xml")


@pytest.mark.django_db
def test_gone_deactivates_the_source(httpserver, allow_loopback):
    httpserver.expect_request("/feed.xml").respond_with_data("gone", status=410)
    source = Source.objects.create(feed_url=httpserver.url_for("/feed.xml"))
    assert poll_source(source.pk).status == "gone"
    source.refresh_from_db()
    assert not source.is_active and "410" in source.last_error


def test_too_many_redirects_is_an_error(httpserver, allow_loopback):
    for i in range(7):
        httpserver.expect_request(f"/r{i}").respond_with_data(
            "", status=302, headers={"Location": f"/r{i + 1}"}
        )
    with pytest.raises(FetchError, match="more than 5 redirects"):
        fetch(httpserver.url_for("/r0"))


def test_slow_server_times_out(httpserver, allow_loopback, settings):
    settings.INGEST_TOTAL_TIMEOUT = 0.5

    def slow(request):
        time.sleep(1.5)
        return Response(FEED)

    httpserver.expect_request("/slow.xml").respond_with_handler(slow)
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"timed out|gave up"):
        fetch(httpserver.url_for("/slow.xml"))
    assert time.monotonic() - started < 1.4


def test_oversized_body_is_refused(httpserver, allow_loopback, settings):
    settings.INGEST_MAX_BYTES = 100_000
    httpserver.expect_request("/big.xml").respond_with_data(b"x" * 200_000)
    with pytest.raises(FetchError, match="limit"):
        fetch(httpserver.url_for("/big.xml"))


def test_gzip_bomb_is_stopped_after_decompression(httpserver, allow_loopback, settings):
    settings.INGEST_MAX_BYTES = 1_000_000
    bomb = gzip.compress(b"<" * 50_000_000)  # 50 MB of data, about 50 KB on the wire
    assert len(bomb) < settings.INGEST_MAX_BYTES
    httpserver.expect_request("/bomb.xml").respond_with_data(bomb, headers={"Content-Encoding": "gzip"})
    with pytest.raises(FetchError, match="after decompression"):
        fetch(httpserver.url_for("/bomb.xml"))


def test_loopback_is_refused_when_private_fetching_is_off(httpserver, settings):
    settings.INGEST_ALLOW_PRIVATE = False
    httpserver.expect_request("/feed.xml").respond_with_data(FEED)
    with pytest.raises(BlockedAddress, match="not a public address"):
        fetch(httpserver.url_for("/feed.xml"))
    assert len(httpserver.log) == 0  # refused before connecting


def test_redirect_to_loopback_is_refused_on_the_hop(settings):
    """A server we may fetch (127.0.0.2 is allow-listed) redirects to 127.0.0.1: refused."""
    settings.INGEST_ALLOW_PRIVATE = False
    settings.INGEST_PRIVATE_ALLOWLIST = ["127.0.0.2"]
    inner = HTTPServer(host="127.0.0.1", port=0)
    outer = HTTPServer(host="127.0.0.2", port=0)
    inner.start()
    outer.start()
    try:
        inner.expect_request("/secret").respond_with_data("internal")
        outer.expect_request("/feed.xml").respond_with_data(
            "", status=302, headers={"Location": inner.url_for("/secret")}
        )
        with pytest.raises(BlockedAddress, match=r"127\.0\.0\.1"):
            fetch(outer.url_for("/feed.xml"))
        assert len(outer.log) == 1 and len(inner.log) == 0
    finally:
        outer.stop()
        inner.stop()


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://example.com/feed", "http://user:pw@example.com/", "javascript:x"]
)
def test_only_plain_http_urls_are_fetched(url, allow_loopback):
    with pytest.raises(FetchError):
        fetch(url)


@pytest.mark.django_db
def test_errors_back_off_exponentially_and_are_shown(httpserver, allow_loopback):
    httpserver.expect_request("/feed.xml").respond_with_data("boom", status=500)
    source = Source.objects.create(feed_url=httpserver.url_for("/feed.xml"), poll_interval_minutes=30)
    delays = []
    for _ in range(8):
        poll_source(source.pk)
        source.refresh_from_db()
        delays.append(round((source.next_poll_at - source.last_polled_at).total_seconds() / 60))
    assert delays == [60, 120, 240, 480, 960, 1440, 1440, 1440]  # doubling, capped at a day
    assert source.consecutive_errors == 8 and "HTTP 500" in source.last_error
