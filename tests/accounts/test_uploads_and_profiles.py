"""Images writers upload are real, small and unguessably named; profiles show on their pages."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from accounts.models import AuthorProfile
from tests.factories import make_post

pytestmark = pytest.mark.django_db


def png_bytes(size=(40, 30), color=(200, 30, 30)):
    output = io.BytesIO()
    Image.new("RGB", size, color).save(output, "PNG")
    return output.getvalue()


def upload(client, name, data, content_type="image/png"):
    return client.post(
        "/markdownx/upload/",
        {"image": SimpleUploadedFile(name, data, content_type=content_type)},
        headers={"x-requested-with": "XMLHttpRequest"},
    )


def test_editor_upload_stores_a_real_image_under_a_random_name(client, author, settings):
    client.force_login(author)
    response = upload(client, "截图.html", png_bytes())
    assert response.status_code == 200, response.content
    url = re.search(r"\]\((.+)\)", response.json()["image_code"]).group(1)
    assert re.fullmatch(r"/media/uploads/[0-9a-f]{32}\.png", url)
    stored = settings.MEDIA_ROOT / url.removeprefix("/media/")
    assert Image.open(stored).size == (40, 30)


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("evil.png", b"<script>alert(1)</script>", "image/png"),
        (
            "logo.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "image/svg+xml",
        ),
        ("cut.png", png_bytes()[:60], "image/png"),
    ],
)
def test_editor_upload_refuses_what_is_not_a_readable_raster_image(client, author, name, data, content_type):
    client.force_login(author)
    response = upload(client, name, data, content_type)
    assert response.status_code == 400
    assert "image" in response.json()


def test_editor_upload_refuses_big_files_and_readers(client, author, settings):
    settings.IMAGE_UPLOAD_MAX_BYTES = 1000
    client.force_login(author)
    big = png_bytes(size=(400, 400), color=(1, 2, 3)) + b"\0" * 2000
    assert upload(client, "big.png", big).status_code == 400
    client.logout()
    assert upload(client, "ok.png", png_bytes()).status_code == 302  # to the admin login


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
