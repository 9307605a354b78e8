"""The live-search API keeps up with a person typing, stops a scraper, and answers logged-in
readers from the same cache as everyone else."""

import pytest
from django.test import Client

from search.indexing import reindex_all
from tests.factories import make_post, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.search.urls")]


def ask(client, q, ip="198.51.100.7"):
    return client.get("/search/api/", {"q": q}, REMOTE_ADDR=ip, HTTP_ACCEPT_LANGUAGE="en")


def test_sixty_suggestions_a_minute_are_answered_and_the_next_is_refused_with_a_json_error(settings):
    settings.PAGE_CACHE_SECONDS = 600
    make_post("倒排索引", body="倒排索引把词映射到文档。")
    reindex_all()
    client = Client()
    typed = "倒排索引"
    for number in range(60):  # the default limit: more than anyone types in a minute
        response = ask(client, typed[: 1 + number % len(typed)])
        assert response.status_code == 200, number
    assert response.json()["count"] == 1
    refused = ask(client, typed)
    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/json"
    assert refused.json() == {
        "error": "Too many searches from your network. Wait 1 minute, then search again."
    }
    assert refused["Retry-After"] == "60"
    # Another reader is not held back with the scraper.
    assert ask(Client(), typed, ip="198.51.100.8").status_code == 200


def test_the_limit_and_its_window_come_from_settings(settings):
    settings.SEARCH_API_REQUESTS_PER_IP = 3
    settings.SEARCH_API_WINDOW = 300
    client = Client()
    for _ in range(3):
        assert ask(client, "索引").status_code == 200
    refused = ask(client, "索引")
    assert refused.status_code == 429
    assert "Wait 5 minutes" in refused.json()["error"]
    assert refused["Retry-After"] == "300"


def test_logged_in_readers_get_the_same_cached_answer_as_anonymous_ones(settings):
    settings.PAGE_CACHE_SECONDS = 600
    make_post("梯度检查点", body="用计算换显存的梯度检查点。")
    reindex_all()
    anonymous = ask(Client(), "梯度检查点")
    assert anonymous["X-Page-Cache"] == "miss"
    reader = Client()
    reader.force_login(make_user(email="reader@example.com"))
    logged_in = ask(reader, "梯度检查点")
    assert logged_in["X-Page-Cache"] == "hit"
    assert logged_in.json() == anonymous.json()
    assert logged_in.json()["count"] == 1
    # And the other way round: a logged-in reader's miss fills the cache for everyone.
    first = ask(reader, "显存")
    assert first["X-Page-Cache"] == "miss"
    assert ask(Client(), "显存")["X-Page-Cache"] == "hit"
