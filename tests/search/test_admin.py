"""Editors manage domain words in the admin and can inspect what the index holds."""

import pytest

from search.indexing import index_post
from search.models import DictionaryWord
from tests.factories import make_post, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(make_user("editor", is_staff=True, is_superuser=True))
    return client


def test_an_editor_adds_a_domain_word(admin_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        response = admin_client.post(
            "/admin/search/dictionaryword/add/", {"word": "混合专家路由", "frequency": ""}
        )
    assert response.status_code == 302
    assert DictionaryWord.objects.filter(word="混合专家路由").exists()
    assert callbacks  # the dictionary version bump and the reindex wait for the commit


def test_search_documents_are_read_only(admin_client):
    post = make_post("Indexed okapi", body="okapi")
    index_post(post.pk)
    assert admin_client.get("/admin/search/searchdocument/").status_code == 200
    page = admin_client.get(f"/admin/search/searchdocument/{post.pk}/change/")
    assert page.status_code == 200
    assert "okapi" in page.content.decode()
    assert admin_client.get("/admin/search/searchdocument/add/").status_code == 403
