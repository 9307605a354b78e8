"""Anonymous readers' cached pages answered ahead of Django, served by a real WSGI server on loopback.

The server runs config.wsgi.application (the fast path around Django) in a thread; a receiver of
Django's request_started counts the requests that reached Django, which is how a reader would
tell a fast answer from a full one if they could see the server. The full stack's own answer,
for comparison, comes from Django's test client, which runs the same middleware without the
fast path.
"""

import http.client
import re
import threading
from contextlib import contextmanager
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from django.core.signals import request_started
from django.core.wsgi import get_wsgi_application
from django.db import connections
from django.urls import reverse

from blog.anonymous_pages import AnonymousPageFastPath
from blog.models import Post
from blog.page_cache import cache_redis, version_mirror_key
from config import wsgi
from config.log_events import fast_path_headers
from tests.factories import make_post, make_user

pytestmark = pytest.mark.django_db(transaction=True)

# Added by the WSGI server itself (wsgiref here, gunicorn in production), not by the site.
SERVER_HEADERS = {"date", "server"}
REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def _without_request_id(headers):
    """`headers` without the X-Request-ID every answer has its own of (checked to be there)."""
    ids = [value for name, value in headers if name.lower() == "x-request-id"]
    assert len(ids) == 1 and REQUEST_ID.fullmatch(ids[0]), headers
    return [(name, value) for name, value in headers if name.lower() != "x-request-id"]


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class _Site:
    """The site on loopback: `get()` answers (status, headers, body) and how many reached Django."""

    def __init__(self, server):
        self.server = server
        self.port = server.server_port
        self.reached_django = 0

    def request(self, path, *, method="GET", host=None, headers=None, body=None):
        before = self.reached_django
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
            connection.putheader("Host", host or f"127.0.0.1:{self.port}")
            for name, value in (headers or {}).items():
                connection.putheader(name, value)
            if body is not None:
                connection.putheader("Content-Length", str(len(body)))
            connection.endheaders(body)
            response = connection.getresponse()
            content = response.read()
            answer = _Answer(response.status, response.getheaders(), content, self.reached_django - before)
        finally:
            connection.close()
        return answer

    def get(self, path, **kwargs):
        return self.request(path, **kwargs)


class _Answer:
    def __init__(self, status, headers, body, reached_django):
        self.status = status
        headers = [(name, value) for name, value in headers if name.lower() not in SERVER_HEADERS]
        self.request_ids = [value for name, value in headers if name.lower() == "x-request-id"]
        self.headers = _without_request_id(headers)
        self.body = body
        self.fast = reached_django == 0

    def __getitem__(self, name):
        values = [value for header, value in self.headers if header.lower() == name.lower()]
        return values[0] if values else None


def test_production_serves_the_fast_path_around_django():
    assert isinstance(wsgi.application, AnonymousPageFastPath)
    assert wsgi.application.application is wsgi.django_application
    assert wsgi.application.extra_headers is fast_path_headers


@contextmanager
def serving():
    """config.wsgi's application, built afresh so its middleware reads this test's settings."""
    application = AnonymousPageFastPath(get_wsgi_application(), extra_headers=fast_path_headers)
    server = make_server("127.0.0.1", 0, application, server_class=WSGIServer, handler_class=_QuietHandler)
    site = _Site(server)

    def count(**kwargs):
        site.reached_django += 1

    request_started.connect(count, dispatch_uid="test-anonymous-pages")

    def serve():
        try:
            server.serve_forever(poll_interval=0.05)
        finally:
            connections.close_all()  # this thread's own connections, or the test database stays in use

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        request_started.disconnect(dispatch_uid="test-anonymous-pages")
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def site(settings):
    settings.PAGE_CACHE_SECONDS = 600
    with serving() as running:
        yield running


def full_stack(client, site, path, **headers):
    """The full stack's answer to the same request (the test client runs no fast path)."""
    response = client.get(path, headers={"host": f"127.0.0.1:{site.port}", **headers})
    return response.status_code, _without_request_id(list(response.items())), response.content


def test_a_warm_page_is_the_full_stacks_answer_byte_for_byte(site, client):
    post = make_post("倒排索引与注意力", tags=["检索"])
    for path in ["/", post.get_absolute_url(), "/tags/jian-suo/", "/search/?q=%E6%B3%A8%E6%84%8F%E5%8A%9B"]:
        cold = site.get(path)
        assert cold.status == 200 and not cold.fast
        warm = site.get(path)
        assert warm.fast, path
        status, headers, body = full_stack(client, site, path)
        assert (warm.status, warm.headers, warm.body) == (status, headers, body), path
        if not path.startswith("/search/"):  # the search index is a worker's job, not run here
            assert "倒排索引与注意力".encode() in warm.body


def test_fast_answers_carry_the_security_and_caching_headers(site):
    make_post("Headers")
    site.get("/")
    warm = site.get("/")
    assert warm.fast
    assert "default-src 'self'" in warm["Content-Security-Policy"]
    assert warm["X-Content-Type-Options"] == "nosniff"
    assert warm["Referrer-Policy"] == "same-origin"
    assert warm["X-Frame-Options"] == "DENY"
    assert {"Accept-Language", "Cookie"} <= {part.strip() for part in warm["Vary"].split(",")}
    assert warm["Content-Language"] == "zh-hans"
    assert "public" in warm["Cache-Control"] and "s-maxage=" in warm["Cache-Control"]
    assert int(warm["Content-Length"]) == len(warm.body)


def test_https_pages_keep_hsts_and_plain_http_gets_its_own_entry(settings):
    settings.PAGE_CACHE_SECONDS = 600
    settings.SECURE_HSTS_SECONDS = 3600
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    make_post("Secure")
    over_tls = {"X-Forwarded-Proto": "https"}
    with serving() as site:
        site.get("/", headers=over_tls)
        warm = site.get("/", headers=over_tls)
        assert warm.fast
        assert warm["Strict-Transport-Security"].startswith("max-age=3600")
        plain = site.get("/")
        assert not plain.fast and plain["Strict-Transport-Security"] is None


def test_a_logged_in_reader_never_takes_the_fast_path(site, client):
    make_post("Members see their name")
    site.get("/")
    assert site.get("/").fast
    client.force_login(make_user("reader-one"))
    session = {"Cookie": f"sessionid={client.cookies['sessionid'].value}"}
    for _ in range(2):
        answer = site.get("/", headers=session)
        assert not answer.fast
        assert reverse("accounts:logout").encode() in answer.body  # their own page
        assert answer["Cache-Control"] == "private"


def test_a_session_cookie_alone_sends_every_request_to_django(site):
    make_post("Cookie")
    site.get("/")
    for _ in range(2):
        assert not site.get("/", headers={"Cookie": "sessionid=not-a-session"}).fast
    assert site.get("/", headers={"Cookie": "csrftoken=abc; django_language=zh-hans"}).fast


def test_posts_and_non_200s_are_never_answered_ahead_of_django(site):
    make_post("Only GET")
    site.get("/")
    for _ in range(2):
        posted = site.request("/", method="POST", body=b"x=1")
        assert not posted.fast and posted.status == 403  # CSRF, as the full stack says
    for path in ["/posts/no-such-post/", "/?before=forged-cursor"]:
        first, second = site.get(path), site.get(path)
        assert first.status == second.status and first.status in {400, 404}
        assert not first.fast and not second.fast


def test_unpublishing_retires_the_fast_copies(site):
    post = make_post("Soon withdrawn")
    url = post.get_absolute_url()
    for path in ["/", url]:
        site.get(path)
        assert site.get(path).fast
    Post.objects.filter(pk=post.pk).unpublish()  # commits: the version moves on
    gone = site.get(url)
    assert gone.status == 404 and not gone.fast
    timeline = site.get("/")
    assert not timeline.fast and b"Soon withdrawn" not in timeline.body
    assert b"Soon withdrawn" not in site.get("/").body


def test_each_host_gets_its_own_entry(site):
    make_post("Two names")
    site.get("/")
    assert site.get("/").fast
    other = f"localhost:{site.port}"
    assert not site.get("/", host=other).fast
    assert site.get("/", host=other).fast


def test_a_host_django_refuses_is_refused_every_time(site):
    make_post("Bad host")
    for _ in range(2):
        answer = site.get("/", host="evil.example")
        assert answer.status == 400 and not answer.fast


@pytest.mark.parametrize(
    ("headers", "language"),
    [
        ({}, "zh-hans"),
        ({"Accept-Language": "en-US,en;q=0.9"}, "en"),
        ({"Cookie": "django_language=en"}, "en"),
        ({"Cookie": "django_language=zh-hans", "Accept-Language": "en"}, "zh-hans"),
        ({"Accept-Language": "fr, en;q=0.5"}, "en"),
        ({"Cookie": "django_language=xx", "Accept-Language": "de"}, "zh-hans"),
    ],
)
def test_the_reader_gets_the_language_django_would_choose(site, client, headers, language):
    make_post("Language")
    site.get("/", headers=headers)
    warm = site.get("/", headers=headers)
    assert warm.fast
    assert warm["Content-Language"] == language
    cookies = dict(part.split("=") for part in headers.get("Cookie", "").split("; ") if part)
    for name, value in cookies.items():
        client.cookies[name] = value
    _status, full_headers, body = full_stack(
        client, site, "/", **{k: v for k, v in headers.items() if k != "Cookie"}
    )
    assert (warm.headers, warm.body) == (full_headers, body)


def test_languages_that_resolve_alike_share_one_entry(site):
    make_post("Shared")
    site.get("/", headers={"Cookie": "django_language=en"})
    assert site.get("/", headers={"Accept-Language": "en-GB"}).fast
    assert not site.get("/").fast  # Chinese is another entry


def test_warm_feeds_answer_200_and_304_ahead_of_django(site, client):
    make_post("In the feed")
    path = "/feeds/latest.atom"
    site.get(path)
    warm = site.get(path)
    assert warm.fast and warm.status == 200
    status, headers, body = full_stack(client, site, path)
    assert (warm.status, warm.headers, warm.body) == (status, headers, body)
    etag = warm["ETag"]
    first_304 = site.get(path, headers={"If-None-Match": etag})
    assert first_304.status == 304 and not first_304.fast
    again = site.get(path, headers={"If-None-Match": etag})
    assert again.status == 304 and again.fast and again.body == b""
    assert again.headers == first_304.headers
    since = site.get(path, headers={"If-Modified-Since": warm["Last-Modified"]})
    assert since.status == 304 and since.fast
    stale = site.get(path, headers={"If-None-Match": '"some-older-copy"'})
    assert stale.status == 200 and stale.fast and stale.body == warm.body


def test_a_head_request_gets_the_headers_without_the_body(site):
    make_post("Head")
    site.get("/")
    head = site.request("/", method="HEAD")
    assert head.fast and head.status == 200 and head.body == b""
    assert int(head["Content-Length"]) == len(site.get("/").body)


def test_the_search_api_keeps_counting_every_request(site, settings):
    settings.SEARCH_API_REQUESTS_PER_IP = 2
    make_post("倒排索引")
    statuses = [site.get("/search/api/?q=%E5%80%92%E6%8E%92").status for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_nothing_is_answered_ahead_of_django_when_the_page_cache_is_off(site, settings):
    settings.PAGE_CACHE_SECONDS = 0
    make_post("Off")
    site.get("/")
    assert not site.get("/").fast


def test_an_evicted_version_mirror_sends_the_next_reader_to_django_once(site):
    make_post("Evicted mirror")
    site.get("/")
    assert site.get("/").fast
    cache_redis().delete(version_mirror_key())  # what an LRU cache does under memory pressure
    assert not site.get("/").fast
    assert site.get("/").fast


def test_a_fast_answer_carries_its_own_request_id_like_the_full_stack(site):
    make_post("请求编号")
    site.get("/")
    first, second = (site.request("/", headers={"X-Request-ID": offered}) for offered in ("lb-1", "lb-2"))
    assert first.fast and second.fast
    assert first.request_ids == ["lb-1"] and second.request_ids == ["lb-2"]
    third, fourth = site.get("/"), site.get("/")
    assert third.fast and third.request_ids != fourth.request_ids  # a fresh id each, never a stored one
