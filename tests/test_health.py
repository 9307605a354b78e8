"""/health/ for load balancers: 200 when every dependency answers, 503 when any one is down
(each pointed at a dead loopback port in turn), never cached, no session, no HTTPS redirect."""

import pytest
from django.db import connections

from tests.loopback_redis import free_port

pytestmark = pytest.mark.django_db


def dead_redis():
    return f"redis://127.0.0.1:{free_port()}/0"


def test_all_up_is_200_with_one_line_per_dependency(client):
    response = client.get("/health/")
    assert response.status_code == 200, response.content
    assert response.content.decode().splitlines() == [
        "database: ok", "cache: ok", "state: ok", "broker: ok", "storage: ok"
    ]  # fmt: skip


def test_never_cached_and_no_session_or_cookie(client):
    response = client.get("/health/")
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    assert response.cookies == {}
    assert "Cookie" not in response.get("Vary", "")


def test_answers_plain_http_even_where_https_is_enforced(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/").status_code == 301
    assert client.get("/health/").status_code == 200


def test_database_down_is_503(client, monkeypatch):
    # Probes connect afresh in a worker thread, from this settings dict: point it at a dead port.
    monkeypatch.setitem(connections.settings["default"], "HOST", "127.0.0.1")
    monkeypatch.setitem(connections.settings["default"], "PORT", str(free_port()))
    response = client.get("/health/")
    assert response.status_code == 503
    assert "database: unavailable" in response.content.decode()
    assert "cache: ok" in response.content.decode()


def test_cache_down_is_503(client, settings):
    settings.CACHES = {**settings.CACHES, "default": {**settings.CACHES["default"], "LOCATION": dead_redis()}}
    response = client.get("/health/")
    assert response.status_code == 503
    assert "cache: unavailable" in response.content.decode()
    assert "database: ok" in response.content.decode()


def test_state_redis_down_is_503(client, settings):
    settings.CACHES = {**settings.CACHES, "state": {**settings.CACHES["state"], "LOCATION": dead_redis()}}
    response = client.get("/health/")
    assert response.status_code == 503
    assert "state: unavailable" in response.content.decode()


def test_broker_down_is_503(client, settings):
    settings.CELERY_BROKER_URL = dead_redis()
    response = client.get("/health/")
    assert response.status_code == 503
    assert "broker: unavailable" in response.content.decode()
    assert "cache: ok" in response.content.decode()


def test_storage_that_cannot_write_is_503(client, settings, tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": blocker},
        },
    }
    response = client.get("/health/")
    assert response.status_code == 503
    assert "storage: unavailable" in response.content.decode()


def test_the_answer_names_no_host_or_port(client, settings):
    settings.CELERY_BROKER_URL = url = dead_redis()
    body = client.get("/health/").content.decode()
    assert url.split(":")[2].split("/")[0] not in body
    assert "127.0.0.1" not in body
