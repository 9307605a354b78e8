"""A draft shown to a reviewer without an account, through a link that expires and can be revoked."""

import re
import time

import pytest
from django.test import Client
from django.urls import reverse

from authoring.preview_links import preview_path
from blog.models import Post
from tests.factories import make_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(author):
    return make_post("未发布的草稿", author=author, status=Post.Status.DRAFT, body="草稿正文")


def create_link_in_admin(client, post):
    response = client.post(reverse("admin:blog_post_preview_link", args=[post.pk]), follow=True)
    assert response.status_code == 200
    return re.search(r"(/accounts/preview/[^\s<\"]+/)", response.text).group(1)


def test_author_creates_a_link_that_shows_the_draft_to_anyone(client, author, draft):
    client.force_login(author)
    link = create_link_in_admin(client, draft)
    reviewer = Client()
    assert reviewer.get(draft.get_absolute_url()).status_code == 404
    page = reviewer.get(link)
    assert page.status_code == 200
    assert "草稿正文" in page.text
    assert page["X-Robots-Tag"].startswith("noindex")
    assert "no-store" in page["Cache-Control"]


def test_a_link_stops_working_when_it_expires(draft, settings, monkeypatch):
    settings.PREVIEW_LINK_MAX_AGE = 3600
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() - 3601)
    old_link = preview_path(draft)
    monkeypatch.setattr(time, "time", real_time)
    fresh_link = preview_path(draft)
    assert Client().get(old_link).status_code == 404
    assert Client().get(fresh_link).status_code == 200


def test_revoking_kills_every_link_handed_out(client, author, draft):
    client.force_login(author)
    first, second = create_link_in_admin(client, draft), preview_path(draft)
    response = client.post(reverse("admin:blog_post_revoke_preview", args=[draft.pk]))
    assert response.status_code == 302
    assert Client().get(first).status_code == 404
    assert Client().get(second).status_code == 404
    assert Client().get(preview_path(draft)).status_code == 200  # a new link works again


def test_forged_links_and_other_authors_get_nothing(client, draft, other_author):
    assert Client().get("/accounts/preview/1:abc:def/").status_code == 404
    tampered = preview_path(draft).replace(f"/{draft.pk}:", f"/{draft.pk + 1}:")
    assert Client().get(tampered).status_code == 404
    client.force_login(other_author)
    assert client.post(reverse("admin:blog_post_preview_link", args=[draft.pk])).status_code == 404
    assert client.post(reverse("admin:blog_post_revoke_preview", args=[draft.pk])).status_code == 404
