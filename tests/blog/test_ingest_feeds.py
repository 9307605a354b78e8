"""Feeds become posts: formats, encodings, formulas, deduplication, edits, concurrency."""

import threading
import time
from io import StringIO

import feedparser
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from blog.ingest.fetch import fetch
from blog.ingest.parse import parse_feed
from blog.ingest.poll import poll_source
from blog.ingest.sources import SourceError, add_source
from blog.ingest.store import ingest_author, store_entries
from blog.models import Post, Source
from blog.tasks import ingest_source, poll_due_sources
from search.models import SearchDocument
from tests.blog.feed_samples import atom, entries, rss


@pytest.fixture(autouse=True)
def allow_loopback(settings):
    settings.INGEST_ALLOW_PRIVATE = True


def serve(httpserver, body, path="/feed.xml", content_type="application/rss+xml; charset=utf-8"):
    httpserver.expect_request(path).respond_with_data(body, content_type=content_type)
    return httpserver.url_for(path)


def source_for(url, **fields):
    return Source.objects.create(feed_url=url, **fields)


pytestmark = pytest.mark.django_db


def test_rss_entries_become_published_posts_with_formulas_and_origin(httpserver, client):
    url = serve(httpserver, rss(entries(3)).encode())
    source = source_for(url, default_tags="转载, 注意力")
    result = poll_source(source.pk)
    assert result.status == "stored" and len(result.report.created) == 3
    post = Post.objects.get(source_guid="post-1")
    assert post.status == Post.Status.PUBLISHED and post.language == "zh"
    assert "$x_1^2$" in post.body and "<math" in post.body_html
    assert post.original_url == "https://lab.example.com/post/1"
    assert sorted(post.tags.names()) == ["注意力", "转载"]
    source.refresh_from_db()
    assert source.title == "某实验室博客" and source.site_url == "https://lab.example.com/"
    page = client.get(post.get_absolute_url(), headers={"accept-language": "zh-hans"}).text
    assert 'href="https://lab.example.com/post/1"' in page and "原文发表于" in page


def test_atom_feed(httpserver):
    url = serve(
        httpserver,
        atom(
            [
                {
                    "id": "urn:1",
                    "title": "ELBO",
                    "link": "https://notes.example.org/elbo",
                    "html": "<p>Hi $q(z)$</p>",
                }
            ]
        ),
        content_type="application/atom+xml",
    )
    poll_source(source_for(url).pk)
    post = Post.objects.get()
    assert post.title == "ELBO" and post.language == "en" and "$q(z)$" in post.body


def test_gbk_feed_declared_as_gb2312_keeps_its_chinese(httpserver):
    # 镕 is in GBK but not in GB2312: a strict GB2312 decoder would garble it.
    items = [
        {
            "guid": "g1",
            "title": "朱镕基与倒排索引",
            "link": "https://cn.example.com/1",
            "html": "<p>中文正文。</p>",
        }
    ]
    body = rss(items, title="中文站点", encoding="GB2312").encode("gbk")
    url = serve(httpserver, body, content_type="application/rss+xml")
    poll_source(source_for(url).pk)
    post = Post.objects.get()
    assert post.title == "朱镕基与倒排索引" and "正文" in post.body


def test_ill_formed_feed_yields_what_can_be_read_and_records_a_warning(httpserver):
    body = rss(entries(2)).replace("</channel></rss>", "<item><title>broken &nbsp; <b></item>")
    url = serve(httpserver, body.encode())
    source = source_for(url)
    result = poll_source(source.pk)
    assert result.status == "stored"
    assert Post.objects.filter(source=source).count() >= 2
    source.refresh_from_db()
    assert source.last_warning and source.consecutive_errors == 0


def test_html_page_is_not_a_feed_and_is_an_error(httpserver):
    url = serve(httpserver, b"<html><body>hello</body></html>", content_type="text/html")
    source = source_for(url)
    assert poll_source(source.pk).status == "failed"
    source.refresh_from_db()
    assert "did not return an RSS or Atom feed" in source.last_error


def test_zhihu_and_mathjax_feeds_keep_every_formula(httpserver):
    items = [
        {
            "guid": "zhihu",
            "title": "知乎：MLA",
            "link": "https://zhuanlan.example.com/p/1",
            "html": '<p>其中 <img src="https://www.zhihu.com/equation?tex=W%5E%7BUK%7D" '
            'alt="W^{UK}" eeimg="1"> 可以吸收。</p>',
        },
        {
            "guid": "mathjax",
            "title": "MathJax post",
            "link": "https://blog.example.com/mj",
            "html": '<p>Loss <script type="math/tex">\\mathcal{L}</script> and</p>'
            '<script type="math/tex; mode=display">\\nabla_\\theta J</script>',
        },
    ]
    url = serve(httpserver, rss(items).encode())
    poll_source(source_for(url).pk)
    zhihu, mathjax = Post.objects.get(source_guid="zhihu"), Post.objects.get(source_guid="mathjax")
    assert "$W^{UK}$" in zhihu.body and "[公式]" not in zhihu.body
    assert "$\\mathcal{L}$" in mathjax.body and "$$\n\\nabla_\\theta J\n$$" in mathjax.body
    assert mathjax.body_html.count("<math") == 2


def test_second_pass_is_not_a_duplicate_and_a_changed_entry_updates_its_post(httpserver):
    items = entries(2)
    url = serve(httpserver, rss(items).encode())
    source = source_for(url)
    poll_source(source.pk)
    httpserver.clear()
    items[0]["html"] = "<p>修订后的正文。</p>"
    serve(httpserver, rss(items).encode())
    result = poll_source(source.pk)
    assert len(result.report.updated) == 1 and len(result.report.skipped) == 1
    assert Post.objects.count() == 2
    assert "修订后的正文" in Post.objects.get(source_guid="post-0").body


def test_entry_without_guid_is_keyed_by_link_then_by_content(httpserver):
    items = [
        {"title": "By link", "link": "https://x.example.com/a", "html": "<p>a</p>"},
        {"title": "By content", "link": "", "html": "<p>b</p>"},
    ]
    url = serve(httpserver, rss(items).encode())
    source = source_for(url)
    poll_source(source.pk)
    poll_source(source.pk)
    assert Post.objects.count() == 2
    guids = set(Post.objects.values_list("source_guid", flat=True))
    assert "https://x.example.com/a" in guids
    assert any(guid.startswith("sha256:") for guid in guids)


def test_local_edits_survive_a_changed_entry(httpserver):
    items = entries(1)
    url = serve(httpserver, rss(items).encode())
    source = source_for(url)
    poll_source(source.pk)
    post = Post.objects.get()
    post.body = post.body + "\n\n编辑补充的一段。"
    post.save()
    httpserver.clear()
    items[0]["html"] = "<p>上游改了正文。</p>"
    serve(httpserver, rss(items).encode())
    poll_source(source.pk)
    post.refresh_from_db()
    assert "编辑补充的一段。" in post.body and "上游改了正文" not in post.body


def test_review_sources_create_drafts(httpserver, client):
    url = serve(httpserver, rss(entries(1)).encode())
    poll_source(source_for(url, publish_immediately=False).pk)
    post = Post.objects.get()
    assert post.status == Post.Status.DRAFT
    assert client.get(post.get_absolute_url()).status_code == 404


FAIL_TAGGING_OF_POST_2 = """
    CREATE FUNCTION fail_tagging_of_post_2() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF (SELECT source_guid FROM blog_post WHERE id = NEW.content_object_id) = 'post-2' THEN
            RAISE EXCEPTION 'worker killed';
        END IF;
        RETURN NEW;
    END $$;
    CREATE TRIGGER fail_tagging BEFORE INSERT ON blog_taggedpost
        FOR EACH ROW EXECUTE FUNCTION fail_tagging_of_post_2();
"""


def test_an_entry_that_fails_half_way_leaves_no_half_made_post_and_a_retry_completes(httpserver):
    url = serve(httpserver, rss(entries(4)).encode())
    source = source_for(url, default_tags="t")
    with connection.cursor() as cursor:  # the database refuses post-2's tags, after its post row
        cursor.execute(FAIL_TAGGING_OF_POST_2)
    result = poll_source(source.pk)
    assert len(result.report.created) == 3 and "worker killed" in result.report.failed[0]
    assert not Post.objects.filter(source_guid="post-2").exists()  # not saved without its tags
    assert all(post.tags.exists() for post in Post.objects.all())
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER fail_tagging ON blog_taggedpost")
    retry = poll_source(source.pk)
    assert retry.report.created == ["第 2 篇：注意力机制"]
    assert Post.objects.count() == 4


def test_new_entries_are_stored_in_a_fixed_number_of_queries(httpserver):
    small = source_for(serve(httpserver, rss(entries(3)).encode(), "/small.xml"), default_tags="t")
    large = source_for(serve(httpserver, rss(entries(30)).encode(), "/large.xml"), default_tags="t")
    poll_source(small.pk)  # creates the shared tag and the ingest account
    Post.objects.all().delete()
    with CaptureQueriesContext(connection) as three:
        assert len(poll_source(small.pk).report.created) == 3
    Post.objects.all().delete()  # so that no title repeats an existing one (see the next test)
    with CaptureQueriesContext(connection) as thirty:
        assert len(poll_source(large.pk).report.created) == 30
    assert len(thirty) == len(three)
    assert Post.objects.filter(source=large, tags__name="t").count() == 30
    assert all(post.body_html and post.slug for post in Post.objects.all())


def test_repeated_titles_get_distinct_slugs(httpserver):
    same_title = [{**item, "title": "周报"} for item in entries(2)]
    Post.objects.create(
        title="周报", body="已有", author=ingest_author(source_for("https://x.example.com/f"))
    )
    source = source_for(serve(httpserver, rss(same_title).encode()))
    assert len(poll_source(source.pk).report.created) == 2
    assert sorted(Post.objects.values_list("slug", flat=True)) == ["zhou-bao", "zhou-bao-2", "zhou-bao-3"]


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_ingests_of_one_source_never_duplicate(httpserver):
    url = serve(httpserver, rss(entries(20)).encode())
    source = source_for(url)

    parsed = parse_feed(fetch(url).body)
    barrier = threading.Barrier(2)
    errors = []

    def run():
        try:
            barrier.wait()
            store_entries(source, parsed.entries)  # bypasses the Redis lock on purpose
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert Post.objects.filter(source=source).count() == 20


def test_a_source_being_polled_is_not_polled_again(httpserver):
    url = serve(httpserver, rss(entries(1)).encode())
    source = source_for(url)
    from django.core.cache import caches

    caches["state"].add(f"ingest-lock:{source.pk}", "someone else", timeout=60)
    assert poll_source(source.pk).status == "skipped"
    assert not Post.objects.exists()


def test_beat_enqueues_due_sources_once(httpserver, django_capture_on_commit_callbacks):
    due = source_for(serve(httpserver, rss(entries(1)).encode()))
    source_for("https://inactive.example.com/feed", is_active=False)
    with django_capture_on_commit_callbacks() as callbacks:
        assert poll_due_sources() == 1
    assert len(callbacks) == 1
    assert poll_due_sources() == 0  # claimed: a second beat finds nothing due
    due.refresh_from_db()
    assert due.next_poll_at is not None


def test_worker_ingests_end_to_end_with_excerpt(httpserver, celery_worker):
    url = serve(httpserver, rss(entries(3)).encode())
    source = source_for(url)
    ingest_source.delay(source.pk)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and (
        Post.objects.exclude(excerpt="").count() < 3 or SearchDocument.objects.count() < 3
    ):
        time.sleep(0.1)
    assert Post.objects.count() == 3
    assert all("<math" in post.excerpt for post in Post.objects.all())
    assert SearchDocument.objects.filter(text__contains="正文 1").count() == 1  # the batch was indexed


def test_add_source_discovers_the_feed_from_a_page(httpserver):
    feed_url = serve(httpserver, rss(entries(1), title="Lab notes").encode())
    page = f'<html><head><link rel="alternate" type="application/rss+xml" href="{feed_url}"></head></html>'
    page_url = serve(httpserver, page.encode(), path="/blog/", content_type="text/html")
    source = add_source(page_url, tags="外部", review=True)
    assert source.feed_url == feed_url and source.title == "Lab notes"
    assert source.default_tags == "外部" and not source.publish_immediately
    with pytest.raises(SourceError, match="already a source"):
        add_source(page_url)


def test_commands_add_and_ingest_synchronously(httpserver):
    url = serve(httpserver, rss(entries(2)).encode())
    out = StringIO()
    call_command("add_source", url, "--tags", "a,b", stdout=out)
    assert "Added source" in out.getvalue()
    out = StringIO()
    call_command("ingest", "--all", "--sync", stdout=out)
    assert "2 created" in out.getvalue() and "created: 第 0 篇：注意力机制" in out.getvalue()
    with pytest.raises(CommandError, match="neither an RSS/Atom feed"):
        call_command("add_source", serve(httpserver, b"<html></html>", "/x", "text/html"), stdout=StringIO())


def test_admin_adds_a_source_by_url_and_shows_errors(httpserver, client):
    from tests.factories import make_user

    client.force_login(make_user("editor", is_staff=True, is_superuser=True))
    url = serve(httpserver, rss(entries(1), title="Admin added").encode())
    data = {"feed_url": url, "default_tags": "", "publish_immediately": "on", "poll_interval_minutes": "60"}
    response = client.post("/admin/blog/source/add/", data)
    assert response.status_code == 302
    assert Source.objects.get().title == "Admin added"
    bad = serve(httpserver, b"<html></html>", "/nope", "text/html")
    response = client.post("/admin/blog/source/add/", {**data, "feed_url": bad})
    assert response.status_code == 200
    assert "feed" in str(response.context["adminform"].form.errors["feed_url"])


# --- what readers see of an entry: plain titles, text kept text, http(s) links only --------------

TITLES_FEED = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><id>urn:lab</id>
<title type="html">&lt;b&gt;Lab&lt;/b&gt; notes &amp;amp; more</title>
<link rel="alternate" href="https://notes.example.org/"/><updated>2026-11-01T08:00:00Z</updated>
<entry><id>urn:1</id><title type="html">&lt;em&gt;LoRA&lt;/em&gt; 低秩适配</title>
  <link href="https://notes.example.org/lora"/><updated>2026-11-01T08:00:00Z</updated>
  <category term="&lt;b&gt;ML&lt;/b&gt;"/><category term="&lt;blink&gt;"/>
  <content type="html">&lt;p&gt;a&lt;/p&gt;</content></entry>
<entry><id>urn:2</id><title type="html">Q&amp;amp;A</title>
  <link href="https://notes.example.org/qa"/><updated>2026-11-01T08:00:00Z</updated>
  <content type="html">b</content></entry>
<entry><id>urn:3</id><title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><em>x</em>  &amp;
  y</div></title><link href="https://notes.example.org/x"/><updated>2026-11-01T08:00:00Z</updated>
  <content>c</content></entry>
<entry><id>urn:4</id><title type="text">History of the &lt;blink&gt; tag</title>
  <link href="https://notes.example.org/blink"/><updated>2026-11-01T08:00:00Z</updated><content>d</content></entry>
</feed>"""
PLAIN_TITLES = {"LoRA 低秩适配", "Q&A", "x & y", "History of the <blink> tag"}


def test_titles_tags_and_the_source_name_are_plain_text_everywhere(httpserver, client):
    source = add_source(serve(httpserver, TITLES_FEED.encode(), content_type="application/atom+xml"))
    assert source.title == "Lab notes & more"
    poll_source(source.pk)
    assert set(Post.objects.values_list("title", flat=True)) == PLAIN_TITLES
    assert sorted(Post.objects.get(source_guid="urn:1").tags.names()) == ["<blink>", "ML"]
    page = client.get(Post.objects.get(source_guid="urn:2").get_absolute_url()).text
    assert "Q&amp;A" in page and "Q&amp;amp;A" not in page  # escaped once, by the template
    for kind in ("atom", "rss"):
        parsed = feedparser.parse(client.get(f"/feeds/latest.{kind}").content)
        assert {entry.title for entry in parsed.entries} == PLAIN_TITLES
    assert {item["title"] for item in client.get("/feeds/latest.json").json()["items"]} == PLAIN_TITLES
    blink = Post.objects.get(source_guid="urn:1").tags.get(name="<blink>")
    description = client.get(f"/tags/{blink.slug}/feed.rss").content.decode()
    assert "“&amp;lt;blink&amp;gt;”" in description  # text in the HTML readers make of it


def test_base64_titles_are_read_for_their_text(httpserver):
    # Atom 0.3's mode="base64"; this one decodes to <p>History of the &lt;blink&gt; tag</p>.
    body = (
        '<feed version="0.3" xmlns="http://purl.org/atom/ns#"><title>B</title><entry><id>urn:b</id>'
        '<title mode="base64">PHA+SGlzdG9yeSBvZiB0aGUgJmx0O2JsaW5rJmd0OyB0YWc8L3A+</title>'
        '<link href="https://b.example.com/1"/><content>x</content></entry></feed>'
    )
    poll_source(source_for(serve(httpserver, body.encode(), content_type="application/atom+xml")).pk)
    assert Post.objects.get().title == "History of the <blink> tag"


UNSAFE_LINKS_FEED = rss(
    [
        {
            "guid": "js",
            "title": "Script link",
            "link": "javascript:alert(document.domain)",
            "html": '<p>Read <a href="javascript:alert(2)">this</a> and <a href="data:text/html,x">that</a>'
            '<img src="data:image/png;base64,iVBORw0KGgo=" alt="dot"></p>',
        },
        {
            "guid": "space",
            "title": "Spaced link",
            "link": "https://lab.example.com/a b c",
            "html": '<p><a href="https://lab.example.com/x y">there</a></p>',
        },
    ]
)


def test_only_http_links_reach_the_post_page_the_timeline_and_our_feeds(httpserver, client):
    source = add_source(serve(httpserver, UNSAFE_LINKS_FEED.encode()))
    poll_source(source.pk)
    script, spaced = Post.objects.get(source_guid="js"), Post.objects.get(source_guid="space")
    assert script.original_url == ""
    assert spaced.original_url == "https://lab.example.com/a%20b%20c"
    assert "Read this and that" in script.body_html and "<a " not in script.body_html
    surfaces = [
        client.get(script.get_absolute_url()).text,
        client.get("/").text,
        *(client.get(f"/feeds/latest.{kind}").content.decode() for kind in ("atom", "rss", "json")),
    ]
    for surface in surfaces:
        assert "javascript:" not in surface and "data:" not in surface
        assert "a b c" not in surface and "x y" not in surface
    atom_entry = next(
        entry for entry in feedparser.parse(surfaces[2]).entries if entry.title == "Spaced link"
    )
    assert [link.href for link in atom_entry.links if link.rel == "via"] == [spaced.original_url]
    json_items = {item["title"]: item for item in client.get("/feeds/latest.json").json()["items"]}
    assert "external_url" not in json_items["Script link"]
    assert json_items["Spaced link"]["external_url"] == "https://lab.example.com/a%20b%20c"


def test_a_feed_whose_site_link_is_a_script_is_added_without_it(httpserver):
    url = serve(httpserver, rss(entries(1), link="javascript:alert(document.cookie)").encode())
    assert add_source(url).site_url == ""


def test_polling_never_stores_a_script_site_link(httpserver):
    url = serve(httpserver, rss(entries(1), link="javascript:alert(document.cookie)").encode())
    source = source_for(url)
    poll_source(source.pk)
    source.refresh_from_db()
    assert source.site_url == ""


def test_escaped_text_formulas_images_in_tables_and_control_characters(httpserver, client):
    html = (
        "<p>Use the &lt;style&gt; element.</p><p>Rest of the post.</p>"
        '<p>求和 <span class="ztext-math" data-tex="\\sum_i x_i">\\sum_i x_i</span> 即可&#27;[0m。</p>'
        "<table><tr><th>图</th></tr>"
        '<tr><td><img src="https://lab.example.com/fig.png" alt="结构"></td></tr></table>'
    )
    # feedparser turns C1 characters into Windows-1252's; C0 ones arrive as character references.
    title = "控制&lt;b&gt;&amp;#1;&lt;/b&gt;字符&amp;#x1b;"
    body = rss([{"guid": "g", "title": "x", "link": "https://lab.example.com/g", "html": html}])
    body = body.replace("<title>x</title>", f"<title>{title}</title>")
    poll_source(source_for(serve(httpserver, body.encode())).pk)
    post = Post.objects.get()
    assert post.title == "控制字符"
    assert "\x1b" not in post.body and "\x1b" not in post.body_html
    page = client.get(post.get_absolute_url()).text
    assert "Use the &lt;style&gt; element." in page and "Rest of the post." in page
    assert '<math display="inline">' in post.body_html and "\\sum" not in post.body.replace("$\\sum", "")
    assert '<td><img src="https://lab.example.com/fig.png" alt="结构"' in post.body_html
    for kind in ("atom", "rss", "json"):
        feed = client.get(f"/feeds/latest.{kind}").content
        assert b"\x1b" not in feed and b"\\u001b" not in feed and b"&#27;" not in feed and b"\x01" not in feed
