"""Conditional polling keeps working against servers whose 304s carry no validators."""

import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from blog.ingest.poll import poll_source
from blog.models import Source
from tests.blog.feed_samples import entries, rss

pytestmark = pytest.mark.django_db


class QuietFileHandler(SimpleHTTPRequestHandler):
    """`python -m http.server` as is, keeping a note of the conditional headers it was sent."""

    def do_GET(self):
        self.server.conditions.append(self.headers.get("If-Modified-Since"))
        super().do_GET()

    def log_message(self, *args):
        pass


@pytest.fixture
def file_server(tmp_path, settings):
    settings.INGEST_ALLOW_PRIVATE = True
    (tmp_path / "feed.xml").write_text(rss(entries(2)), encoding="utf-8")
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietFileHandler, directory=tmp_path))
    server.conditions = []
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_a_bare_304_keeps_the_last_modified_so_every_poll_stays_conditional(file_server):
    source = Source.objects.create(feed_url=f"http://127.0.0.1:{file_server.server_port}/feed.xml")
    assert poll_source(source.pk).status == "stored"
    source.refresh_from_db()
    last_modified = source.last_modified
    assert last_modified  # http.server dates its 200s
    statuses = [poll_source(source.pk).status for _ in range(3)]
    assert statuses == ["not-modified"] * 3
    source.refresh_from_db()
    assert source.last_modified == last_modified
    assert file_server.conditions == [None, last_modified, last_modified, last_modified]


def test_a_304_that_brings_new_validators_replaces_them(httpserver, settings):
    settings.INGEST_ALLOW_PRIVATE = True
    httpserver.expect_request("/feed.xml", headers={"If-None-Match": '"v1"'}).respond_with_data(
        "", status=304, headers={"ETag": '"v2"'}
    )
    httpserver.expect_request("/feed.xml").respond_with_data(
        rss(entries(1)), headers={"ETag": '"v1"', "Last-Modified": "Wed, 25 Nov 2026 08:00:00 GMT"}
    )
    source = Source.objects.create(feed_url=httpserver.url_for("/feed.xml"))
    poll_source(source.pk)
    assert poll_source(source.pk).status == "not-modified"
    source.refresh_from_db()
    assert source.etag == '"v2"' and source.last_modified == "Wed, 25 Nov 2026 08:00:00 GMT"
