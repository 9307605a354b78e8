"""Feeds in legacy encodings arrive as the text their authors wrote, declared or not."""

import pytest

from blog.ingest.poll import poll_source
from blog.models import Post, Source
from tests.blog.feed_samples import rss

pytestmark = pytest.mark.django_db

TRADITIONAL = [
    {
        "guid": "tw-1",
        "title": "臺灣的資訊檢索研究",
        "link": "https://tw.example.com/1",
        "html": "<p>繁體中文的正文，討論倒排索引與注意力機制。</p>",
    },
    {
        "guid": "tw-2",
        "title": "第二篇：語言模型與檢索",
        "link": "https://tw.example.com/2",
        "html": "<p>這是第二篇文章，說明向量資料庫。</p>",
    },
]


@pytest.fixture(autouse=True)
def allow_loopback(settings):
    settings.INGEST_ALLOW_PRIVATE = True


def undeclared(document):
    """The document without its XML declaration."""
    return document.split("?>\n", 1)[1]


def poll(httpserver, body, content_type):
    httpserver.expect_request("/feed.xml").respond_with_data(body, content_type=content_type)
    source = Source.objects.create(feed_url=httpserver.url_for("/feed.xml"))
    poll_source(source.pk)
    source.refresh_from_db()
    return source


def test_a_big5_feed_without_any_declaration_keeps_its_chinese(httpserver):
    body = undeclared(rss(TRADITIONAL, title="繁體中文部落格")).encode("big5")
    source = poll(httpserver, body, "text/xml")
    assert sorted(Post.objects.values_list("title", flat=True)) == [
        "第二篇：語言模型與檢索",
        "臺灣的資訊檢索研究",
    ]
    assert "倒排索引與注意力機制" in Post.objects.get(source_guid="tw-1").body
    assert source.title == "繁體中文部落格"
    assert "read as big5" in source.last_warning  # the editor learns it was a guess


def test_a_feed_mislabelled_as_utf8_is_read_in_its_real_encoding(httpserver):
    body = rss(TRADITIONAL, title="繁體中文部落格").encode("big5")  # declares utf-8, is Big5
    poll(httpserver, body, "application/rss+xml; charset=utf-8")
    assert Post.objects.get(source_guid="tw-2").title == "第二篇：語言模型與檢索"


def test_a_utf8_feed_under_a_server_default_latin1_label_stays_utf8(httpserver):
    body = rss(TRADITIONAL, title="繁體中文部落格").encode("utf-8")
    source = poll(httpserver, body, "text/xml; charset=ISO-8859-1")
    assert Post.objects.get(source_guid="tw-1").title == "臺灣的資訊檢索研究"
    assert source.last_warning == ""


def test_latin1_feeds_keep_windows_1252_quotes_and_dashes(httpserver):
    items = [
        {
            "guid": "q",
            "title": "“Quoted” – and naïve",
            "link": "https://x.example.com/q",
            "html": "<p>Café</p>",
        }
    ]
    body = rss(items, title="Café", encoding="ISO-8859-1").encode("cp1252")
    poll(httpserver, body, "application/rss+xml")
    post = Post.objects.get()
    assert post.title == "“Quoted” – and naïve" and "Café" in post.body


@pytest.mark.parametrize("codec", ["utf-16", "utf-8-sig"])
def test_a_byte_order_mark_decides(httpserver, codec):
    body = undeclared(rss(TRADITIONAL, title="繁體中文部落格")).encode(codec)
    poll(httpserver, body, "application/xml")
    assert Post.objects.get(source_guid="tw-1").title == "臺灣的資訊檢索研究"
