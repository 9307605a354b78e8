"""Feed-source errors read in the editor's language: stored in English by the worker, shown
translated in the Chinese admin, old rows included."""

import pytest
from django.urls import reverse
from django.utils import translation

from blog.ingest.messages import localize
from blog.ingest.poll import poll_source
from blog.models import Source
from tests.blog.loopback_servers import loopback_server, respond
from tests.factories import make_user


@pytest.fixture(autouse=True)
def allow_loopback(settings):
    settings.INGEST_ALLOW_PRIVATE = True
    settings.INGEST_TOTAL_TIMEOUT = 5


def not_found(handler):
    respond(handler, 404, b"gone fishing")


def not_a_feed(handler):
    respond(handler, 200, b"<html><body>hello</body></html>", [("Content-Type", "text/html")])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("answer", "english", "chinese"),
    [(not_found, "HTTP 404 from localhost", "localhost 返回 HTTP 404"),
     (not_a_feed, "did not return an RSS or Atom feed", "返回的不是 RSS 或 Atom 订阅源")],
)  # fmt: skip
def test_a_failed_poll_is_shown_in_chinese_in_the_chinese_admin(client, answer, english, chinese):
    with loopback_server(answer) as server:
        source = Source.objects.create(feed_url=server.url("/feed.xml"), title="Lab")
        poll_source(source.pk)
    source.refresh_from_db()
    assert english in source.last_error  # stored as the worker wrote it
    client.force_login(make_user("root", is_staff=True, is_superuser=True))

    listing = client.get(reverse("admin:blog_source_changelist"), HTTP_ACCEPT_LANGUAGE="zh-hans").text
    page = client.get(
        reverse("admin:blog_source_change", args=[source.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).text
    assert chinese in listing and chinese in page
    assert english not in listing and english not in page

    page = client.get(reverse("admin:blog_source_change", args=[source.pk]), HTTP_ACCEPT_LANGUAGE="en").text
    assert english in page


def test_nested_and_joined_messages_translate_part_by_part():
    stored = (
        "the feed says it is utf-8 but is not; it was read as big5, the likeliest by its bytes; "
        "2 entries failed: x: ValueError: bad"
    )
    with translation.override("zh-hans"):
        assert localize(stored) == (
            "订阅源声明自己是 utf-8，但实际不是；已按字节判断最可能的 big5 读取；"
            "2 个条目失败：x: ValueError: bad"
        )
        assert localize("Could not fetch http://a.example/: HTTP 500 from a.example") == (
            "无法抓取 http://a.example/：a.example 返回 HTTP 500"
        )
        assert localize("cannot connect to a.example:443: timed out") == "无法连接到 a.example:443：超时"


def test_text_no_template_made_is_shown_as_it_came():
    with translation.override("zh-hans"):
        assert localize("SAXParseException: not well-formed") == "SAXParseException: not well-formed"
        assert localize("") == ""


@pytest.mark.django_db
def test_adding_a_source_that_is_no_feed_says_so_in_chinese(client):
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    with loopback_server(not_a_feed) as server:
        response = client.post(
            reverse("admin:blog_source_add"),
            {"feed_url": server.url("/page"), "poll_interval_minutes": 60},
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
    assert response.status_code == 200
    assert "既不是 RSS/Atom 订阅源" in response.text
