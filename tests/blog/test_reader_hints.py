"""What the server sends readers that the browser tests also look at: the post page's login hint,
and the search page's single search box."""

import pytest
from bs4 import BeautifulSoup

from blog.models import Post
from tests.factories import make_post, make_user

pytestmark = pytest.mark.django_db


def test_logged_out_post_page_links_to_log_in_and_back(client):
    post = make_post("倒排索引入门")
    soup = BeautifulSoup(
        client.get(post.get_absolute_url(), headers={"accept-language": "zh-hans"}).text, "html.parser"
    )
    hint = soup.select_one(".reader-hint")
    assert hint is not None and "收藏" in hint.text and "关注" in hint.text
    link = hint.select_one("a")["href"]
    assert link == f"/accounts/login/?next={post.get_absolute_url()}"


def test_logging_in_from_the_hint_returns_to_the_post(client):
    make_user("reader", email="reader@example.com")
    post = make_post("倒排索引入门")
    link = BeautifulSoup(client.get(post.get_absolute_url()).text, "html.parser").select_one(".reader-hint a")
    response = client.post(link["href"], {"username": "reader@example.com", "password": "pw-for-tests-1"})
    assert response.status_code == 302 and response["Location"] == post.get_absolute_url()


def test_logged_in_readers_and_drafts_get_no_hint(client):
    post = make_post("倒排索引入门")
    editor = make_user("editor", is_superuser=True, is_staff=True)
    draft = make_post("草稿", status=Post.Status.DRAFT, author=editor)
    client.force_login(editor)
    assert 'class="reader-hint"' not in client.get(post.get_absolute_url()).text
    assert 'class="reader-hint"' not in client.get(draft.get_absolute_url()).text


def test_search_page_has_one_search_box_and_other_pages_the_header_one(client):
    search_page = BeautifulSoup(client.get("/search/", {"q": "索引"}).text, "html.parser")
    assert [box.get("id") for box in search_page.select('input[type="search"]')] == ["search-q"]
    timeline = BeautifulSoup(client.get("/").text, "html.parser")
    assert [box.get("id") for box in timeline.select('input[type="search"]')] == ["search-box-q"]
