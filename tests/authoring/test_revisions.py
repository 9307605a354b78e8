"""Every admin save is a revision; two can be compared, and an old one restored."""

import re

import pytest
from django.urls import reverse
from reversion.models import Version

from blog.models import Post
from tests.authoring.test_roles import post_form

pytestmark = pytest.mark.django_db


def save_in_admin(client, post, **fields):
    post.refresh_from_db()
    response = client.post(reverse("admin:blog_post_change", args=[post.pk]), post_form(post, **fields))
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    post.refresh_from_db()


@pytest.fixture
def post_with_two_revisions(client, author):
    client.force_login(author)
    client.post(reverse("admin:blog_post_add"), post_form(title="修订", body="第一段。\n第二段。"))
    post = Post.objects.get()
    save_in_admin(client, post, body="第一段。\n改写后的第二段。")
    return post


def test_each_save_keeps_a_revision_with_who_saved_it(post_with_two_revisions, author):
    versions = Version.objects.get_for_object(post_with_two_revisions)
    assert versions.count() == 2
    assert {version.revision.user for version in versions} == {author}


def test_history_compares_two_revisions_as_a_unified_diff(client, post_with_two_revisions):
    post = post_with_two_revisions
    history = client.get(reverse("admin:blog_post_history", args=[post.pk]))
    assert history.status_code == 200
    compare_url = re.search(r'href="([^"]+/compare/\?from=\d+&amp;to=\d+)"', history.text).group(1)
    diff = client.get(compare_url.replace("&amp;", "&"))
    assert diff.status_code == 200
    assert "-第二段。" in diff.text
    assert "+改写后的第二段。" in diff.text
    for not_an_id in ["x", "²", "١"]:  # str.isdigit() accepts the last two; int() only the last
        assert (
            client.get(reverse("admin:blog_post_compare", args=[post.pk]), {"from": not_an_id}).status_code
            == 404
        )


def test_restoring_an_old_revision_brings_its_text_back_as_a_new_revision(client, post_with_two_revisions):
    post = post_with_two_revisions
    oldest = Version.objects.get_for_object(post).last()
    url = reverse("admin:blog_post_revision", args=[post.pk, oldest.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "第二段。" in page.context["adminform"].form["body"].value()
    post.refresh_from_db()
    assert post.body == "第一段。\n改写后的第二段。"  # looking at a revision changes nothing
    form = page.context["adminform"].form
    data = post_form(post, body=form["body"].value(), edit_lock=form["edit_lock"].value())
    assert client.post(url, data).status_code == 302
    post.refresh_from_db()
    assert post.body == "第一段。\n第二段。"
    assert Version.objects.get_for_object(post).count() == 3


def test_another_author_can_neither_see_nor_restore_revisions(client, post_with_two_revisions, other_author):
    post = post_with_two_revisions
    oldest = Version.objects.get_for_object(post).last()
    client.force_login(other_author)
    url = reverse("admin:blog_post_revision", args=[post.pk, oldest.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, post_form(post, body="x")).status_code == 404
    post.refresh_from_db()
    assert post.body == "第一段。\n改写后的第二段。"
