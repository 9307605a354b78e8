"""Management commands: demo content, re-rendering and excerpt rebuilds."""

from io import StringIO

import pytest
from django.core.management import call_command

from blog.models import Post, Series
from tests.factories import make_post

pytestmark = pytest.mark.django_db


def run(*args):
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_load_demo_is_idempotent_and_keeps_edits():
    run("load_demo")
    count = Post.objects.count()
    assert count >= 5
    assert Post.objects.filter(language="en").exists() and Post.objects.filter(language="zh").exists()
    assert Series.objects.get().posts.count() >= 2
    assert Post.objects.filter(body_html__contains='<math display="block">').exists()
    edited = Post.objects.first()
    Post.objects.filter(pk=edited.pk).update(title="Edited by hand")
    assert "0 posts created" in run("load_demo")
    assert Post.objects.count() == count
    assert Post.objects.get(pk=edited.pk).title == "Edited by hand"


def test_rerender_posts_fills_stale_html_and_reports_what_changed():
    post = make_post(body="## 一\n\n$x$\n\n## 二")
    fresh = make_post(body="plain")
    Post.objects.filter(pk=post.pk).update(body_html="<p>old</p>", headings=[])
    output = run("rerender_posts", "--chunk-size", "1")
    assert "1 of 2 posts changed." in output
    post.refresh_from_db()
    assert "<math" in post.body_html and len(post.headings) == 2
    fresh.refresh_from_db()
    assert fresh.body_html.strip() == "<p>plain</p>"


def test_rebuild_excerpts_regenerates_every_excerpt():
    posts = [make_post(body=f"第 {i} 篇的正文。") for i in range(3)]
    Post.objects.update(excerpt="")
    output = run("rebuild_excerpts", "--chunk-size", "2")
    assert "3 of 3 excerpts changed." in output
    assert [p.excerpt for p in Post.objects.order_by("pk")] == [f"第 {i} 篇的正文。" for i in range(3)]
    assert "0 of 3 excerpts changed." in run("rebuild_excerpts")
    assert posts


def test_upgrading_a_post_stored_by_the_last_release_brings_every_surface_to_the_new_output():
    from search.indexing import index_posts
    from search.models import SearchDocument

    body = "先压缩再还原：\n\n$$c = W h$$\n\n公式 $x$。Put CSS in a <style> element.\n\n## 后文\n\n还在。"
    post = make_post(body=body)
    # As the last release stored it: the <style> swallowed the rest, no outline, a placeholder.
    Post.objects.filter(pk=post.pk).update(
        body_html="<p>先压缩再还原：</p><p>公式 Put CSS in a </p>",
        outline={},
        headings=[],
        excerpt="先压缩再还原： [公式] 公式",
        excerpt_text="",
    )
    run("rerender_posts")
    run("rebuild_excerpts")
    index_posts([post.pk])
    post.refresh_from_db()
    assert post.outline["blocks"] and "&lt;style&gt;" in post.body_html and post.headings[0]["text"] == "后文"
    assert "[公式]" not in post.excerpt and "<math" in post.excerpt
    assert post.excerpt_text == "先压缩再还原： 公式 $x$。Put CSS in a <style> element. 后文 · 还在。"
    document = SearchDocument.objects.get(post=post)
    assert document.text.count("\ufffc") == 2 and len(document.formulas) == 2
