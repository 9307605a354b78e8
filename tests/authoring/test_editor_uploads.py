"""Images writers drop into the editor are real, small and unguessably named (authoring.editor_uploads)."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

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
