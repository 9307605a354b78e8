"""Staff looking at readers' data in the admin (accounts.admin)."""

import pytest
from django.urls import reverse

from accounts.models import Follow
from blog.models import Tag
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_a_follow_saved_with_no_target_is_a_form_error_not_a_server_error(client):
    reader = make_user("reader")
    follow = Follow.objects.create(user=reader, tag=Tag.objects.create(name="rust"))
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    url = reverse("admin:accounts_follow_change", args=[follow.pk])
    response = client.post(url, {"user": reader.pk, "tag": "", "series": "", "author": "", "source": ""})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    follow.refresh_from_db()
    assert follow.tag.name == "rust"


def test_a_follow_names_what_it_follows():
    follow = Follow(user=make_user("reader"), tag=Tag.objects.create(name="rust"))
    assert str(follow) == "reader → tag: rust"
    assert str(Follow(user=follow.user)) == "reader → ?"
