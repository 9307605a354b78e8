"""Whatever a server answers, a fetch either succeeds or fails with an error shown to the editor."""

import pytest

from blog.ingest.fetch import FetchError, fetch
from blog.ingest.poll import poll_source
from blog.models import Source
from tests.blog.feed_samples import entries, rss
from tests.blog.loopback_servers import loopback_server, respond
from tests.factories import make_user

FEED = rss(entries(2), title="Keep-alive lab").encode()
BAD_LOCATIONS = ["http://[::1", "http://example.com:99999/feed", "http://[fe80::1%zz]:x/"]


@pytest.fixture(autouse=True)
def allow_loopback(settings):
    settings.INGEST_ALLOW_PRIVATE = True
    settings.INGEST_TOTAL_TIMEOUT = 5


def redirect_to(location):
    def answer(handler):
        respond(handler, 302, b"", [("Location", location)])

    return answer


@pytest.mark.parametrize("location", BAD_LOCATIONS)
def test_a_redirect_to_a_broken_url_is_a_fetch_error(location):
    with (
        loopback_server(redirect_to(location)) as server,
        pytest.raises(FetchError, match="which is not a valid URL; ask the feed's owner"),
    ):
        fetch(server.url("/feed.xml"))


@pytest.mark.django_db
def test_a_broken_redirect_is_recorded_on_the_source_and_backs_off():
    with loopback_server(redirect_to("http://[::1")) as server:
        source = Source.objects.create(feed_url=server.url("/feed.xml"), poll_interval_minutes=30)
        result = poll_source(source.pk)
    assert result.status == "failed"
    source.refresh_from_db()
    assert "'http://[::1', which is not a valid URL" in source.last_error
    assert source.consecutive_errors == 1
    assert (source.next_poll_at - source.last_polled_at).total_seconds() == 60 * 60


@pytest.mark.django_db
def test_the_admin_shows_a_broken_redirect_as_a_form_error(client):
    client.force_login(make_user("editor", is_staff=True, is_superuser=True))
    with loopback_server(redirect_to("http://[::1")) as server:
        response = client.post(
            "/admin/blog/source/add/",
            {"feed_url": server.url("/feed.xml"), "publish_immediately": "on", "poll_interval_minutes": "60"},
            HTTP_ACCEPT_LANGUAGE="en",  # the Chinese admin shows it in Chinese (test_ingest_messages)
        )
    assert response.status_code == 200
    assert "not a valid URL" in str(response.context["adminform"].form.errors["feed_url"])
    assert not Source.objects.exists()


def serve_feed_behind_a_redirect(handler):
    if handler.path == "/old.xml":
        respond(handler, 302, b"<html><body>Moved to /feed.xml</body></html>", [("Location", "/feed.xml")])
    else:
        respond(handler, 200, FEED, [("Content-Type", "application/rss+xml")])


def test_a_same_host_redirect_on_a_kept_alive_connection_is_followed():
    with loopback_server(serve_feed_behind_a_redirect) as server:
        result = fetch(server.url("/old.xml"))
        again = fetch(server.url("/old.xml"))  # the pooled connection is still good
    assert result.status == 200 and result.body == FEED and result.url.endswith("/feed.xml")
    assert again.body == FEED
    ports = {port for port, _ in server.seen}
    assert [path for _, path in server.seen] == ["/old.xml", "/feed.xml"] * 2
    assert len(ports) == 1  # all four requests went over one kept-alive connection


@pytest.mark.django_db
def test_an_error_page_does_not_spoil_the_connection_for_the_next_poll():
    answers = iter([(500, b"<html>Internal error, sorry</html>"), (200, FEED)])

    def answer(handler):
        status, body = next(answers)
        respond(
            handler, status, body, [("Content-Type", "text/html" if status == 500 else "application/rss+xml")]
        )

    with loopback_server(answer) as server:
        source = Source.objects.create(feed_url=server.url("/feed.xml"))
        assert poll_source(source.pk).status == "failed"
        assert poll_source(source.pk).status == "stored"
    assert len({port for port, _ in server.seen}) == 1


def test_a_huge_redirect_page_is_not_read_and_its_connection_is_dropped(settings):
    def answer(handler):
        if handler.path == "/old.xml":
            respond(handler, 302, b"x" * 1_000_000, [("Location", "/feed.xml")])
        else:
            respond(handler, 200, FEED)

    with loopback_server(answer) as server:
        assert fetch(server.url("/old.xml")).body == FEED
    assert len({port for port, _ in server.seen}) == 2  # a new connection for the feed itself
