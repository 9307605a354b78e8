"""The admin site (config.admin_site): Django's, with requests it cannot honour refused as 400."""

import pytest
from django.urls import reverse

from tests.factories import make_post, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client):
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize(
    "view", ["admin:blog_post_change", "admin:blog_post_delete", "admin:auth_user_change"]
)
def test_an_empty_to_field_is_a_bad_request_on_every_model(superuser_client, view):
    post = make_post("Target")
    object_id = post.pk if "post" in view else post.author.pk
    url = reverse(view, args=[object_id])
    assert superuser_client.get(url, {"_to_field": ""}).status_code == 400
    assert superuser_client.post(url, {"_to_field": "", "post": "yes"}).status_code == 400
    assert superuser_client.get(url).status_code == 200


def test_the_site_still_asks_who_you_are_first(client):
    response = client.get(reverse("admin:blog_post_changelist"), {"_to_field": ""})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
