"""Uploads go through Django's storage API: to an S3-compatible bucket (a moto server on
loopback here) when MEDIA_BUCKET is set, else to local disk, which the site serves itself."""

import json
import urllib.request
import uuid
from io import BytesIO

import boto3
import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from blog.image_uploads import store_post_image
from tests.loopback_redis import free_port

pytestmark = pytest.mark.django_db

CREDENTIALS = {"access_key": "testing", "secret_key": "testing"}


def png_upload(name="photo.png", colour=(200, 30, 30)):
    output = BytesIO()
    Image.new("RGB", (40, 30), colour).save(output, "PNG")
    return SimpleUploadedFile(name, output.getvalue(), content_type="image/png")


def s3_storage(endpoint, bucket):
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint,
            "region_name": "us-east-1",
            "location": "media",
            "querystring_auth": False,
            "file_overwrite": False,
            **CREDENTIALS,
        },
    }


def s3_client(endpoint):
    return boto3.client(
        "s3", endpoint_url=endpoint, region_name="us-east-1",
        aws_access_key_id="testing", aws_secret_access_key="testing",
    )  # fmt: skip


@pytest.fixture
def bucket():
    """(endpoint, name): a real S3-compatible HTTP server on a loopback port with a new bucket
    whose objects anyone may read, as the README's production setup has it."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint, name = f"http://{host}:{port}", f"inkstone-media-{uuid.uuid4().hex[:12]}"
    client = s3_client(endpoint)
    client.create_bucket(Bucket=name)
    public_read = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{name}/*",
            }
        ],
    }
    client.put_bucket_policy(Bucket=name, Policy=json.dumps(public_read))
    yield endpoint, name
    server.stop()


def test_an_editor_image_round_trips_through_the_bucket(bucket, settings):
    endpoint, name = bucket
    settings.STORAGES = {**settings.STORAGES, "default": s3_storage(endpoint, name)}
    url = store_post_image(png_upload())
    assert url.startswith(f"{endpoint}/{name}/media/uploads/")
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (the loopback bucket)
        body = response.read()
    image = Image.open(BytesIO(body))
    assert (image.format, image.size, image.getpixel((5, 5))) == ("PNG", (40, 30), (200, 30, 30))
    assert not list((settings.MEDIA_ROOT).glob("**/*.png")), "nothing was written to local disk"


def test_an_avatar_saved_through_the_model_lands_in_the_bucket(bucket, settings, django_user_model):
    from accounts.models import AuthorProfile
    from blog.image_uploads import make_avatar

    endpoint, name = bucket
    settings.STORAGES = {**settings.STORAGES, "default": s3_storage(endpoint, name)}
    user = django_user_model.objects.create_user("writer", "writer@example.com", "pw-0123456789")
    profile, _created = AuthorProfile.objects.get_or_create(user=user)
    profile.avatar.save("ignored.jpg", make_avatar(png_upload()), save=True)
    keys = [item["Key"] for item in s3_client(endpoint).list_objects_v2(Bucket=name)["Contents"]]
    assert keys == [f"media/{profile.avatar.name}"]
    assert default_storage.open(profile.avatar.name).read()[:3] == b"\xff\xd8\xff"  # a JPEG


def test_storage_down_makes_health_503(client, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            **s3_storage(f"http://127.0.0.1:{free_port()}", "inkstone-media"),
        },
    }
    from botocore.config import Config

    settings.STORAGES["default"]["OPTIONS"]["client_config"] = Config(
        connect_timeout=1, read_timeout=1, retries={"max_attempts": 1}
    )
    response = client.get("/health/")
    assert response.status_code == 503
    assert "storage: unavailable" in response.content.decode()


def test_local_uploads_are_served_by_the_site_with_a_long_cache(client, settings):
    url = store_post_image(png_upload())
    assert url.startswith("/media/uploads/")
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert "immutable" in response["Cache-Control"]
    assert Image.open(BytesIO(b"".join(response.streaming_content))).size == (40, 30)
    assert client.get("/media/uploads/nothing-here.png").status_code == 404
    assert client.get("/media/" + "x" * 300).status_code == 404  # longer than a file name may be


def test_production_settings_choose_the_bucket_from_the_environment():
    from tests.test_settings import run_manage

    shown = run_manage(
        "shell", "--no-imports", "-c",
        "from django.conf import settings as s; d = s.STORAGES['default']; o = d.get('OPTIONS', {});"
        " print(d['BACKEND'], o.get('bucket_name'), o.get('endpoint_url'), s.SERVE_MEDIA)",
        DEBUG="true", MEDIA_BUCKET="site-media", MEDIA_S3_ENDPOINT_URL="http://127.0.0.1:9000",
    )  # fmt: skip
    assert shown.stdout.split() == [
        "storages.backends.s3.S3Storage",
        "site-media",
        "http://127.0.0.1:9000",
        "False",
    ]
