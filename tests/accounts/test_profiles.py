"""Writers' public profiles: avatar, bio and links show on their posts and author page."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from accounts.models import AuthorProfile
from tests.authoring.test_editor_uploads import png_bytes
from tests.factories import make_post

pytestmark = pytest.mark.django_db


def test_author_profile_with_avatar_bio_and_links_shows_on_posts_and_author_page(client, author):
    client.force_login(author)
    response = client.post(
        reverse("accounts:profile"),
        {
            "display_name": "林作者",
            "bio": "写**检索**和<script>alert(1)</script>排序。",
            "links": "https://example.com/lin\nexample.org",
            "avatar": SimpleUploadedFile("me.png", png_bytes(size=(600, 300)), content_type="image/png"),
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    profile = AuthorProfile.objects.get(user=author)
    assert Image.open(profile.avatar.path).size == (256, 256)
    assert "<strong>检索</strong>" in profile.bio_html and "<script" not in profile.bio_html
    post = make_post("有作者简介的文章", author=author)
    client.logout()
    for url in (post.get_absolute_url(), reverse("blog:author", args=[author.username])):
        page = client.get(url)
        assert "林作者" in page.text and profile.avatar.url in page.text
        assert 'href="https://example.org"' in page.text


def test_a_broken_avatar_is_refused_with_a_message(client, author):
    client.force_login(author)
    response = client.post(
        reverse("accounts:profile"),
        {"display_name": "x", "bio": "", "links": "", "avatar": SimpleUploadedFile("a.jpg", b"not an image")},
    )
    assert response.status_code == 200
    assert response.context["form"].has_error("avatar")


def test_readers_have_no_author_profile_page(client):
    from tests.factories import make_user

    client.force_login(make_user(email="r@example.com"))
    assert client.get(reverse("accounts:profile")).status_code == 302
