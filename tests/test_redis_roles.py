"""Redis's three roles on separate servers: the cache may lose everything (LRU eviction, a
flush) and no poll lock, rate-limit counter or pending state goes with it; one Redis still runs
all three when only REDIS_URL is set."""

import json

import pytest
import redis
from django.core.cache import caches

from accounts.rate_limits import FAILED_LOGINS
from blog.ingest.poll import acquire_poll_lock
from tests.loopback_redis import redis_server
from tests.test_settings import run_manage


@pytest.fixture
def separate_cache(settings, tmp_path):
    """The Django cache on a server of its own that evicts (allkeys-lru); state stays where it was."""
    with redis_server(tmp_path, "--maxmemory", "8mb", "--maxmemory-policy", "allkeys-lru") as url:
        settings.CACHES = {**settings.CACHES, "default": {**settings.CACHES["default"], "LOCATION": url}}
        yield url


def test_losing_the_whole_cache_keeps_poll_locks_and_rate_counters(separate_cache, settings):
    assert settings.CACHES["state"]["LOCATION"] != separate_cache
    assert acquire_poll_lock(41) is not None
    for _attempt in range(settings.LOGIN_FAILURES_PER_ACCOUNT):
        FAILED_LOGINS.record("198.51.100.7", "reader@example.com")
    caches["default"].set("a-page", "<html>", timeout=60)

    redis.Redis.from_url(separate_cache).flushall()  # what eviction does to the cache, at worst

    assert caches["default"].get("a-page") is None
    assert acquire_poll_lock(41) is None, "the source is still being polled: a second poll must wait"
    assert FAILED_LOGINS.exceeded("198.51.100.7", "reader@example.com"), "the guesser is still locked out"


def test_state_keys_are_written_to_the_state_redis_only(separate_cache):
    acquire_poll_lock(42)
    cache_server = redis.Redis.from_url(separate_cache)
    assert [key for key in cache_server.scan_iter() if b"ingest-lock" in key] == []
    assert caches["state"].get("ingest-lock:42")


def roles(**environment):
    shown = run_manage(
        "shell", "--no-imports", "-c",
        "import json; from django.conf import settings as s; print(json.dumps([s.CELERY_BROKER_URL,"
        " s.CACHES['default']['LOCATION'], s.CACHES['state']['LOCATION'], s.STATE_REDIS_URL]))",
        **{"DEBUG": "true", "CELERY_BROKER_URL": "", "CACHE_URL": "", "STATE_REDIS_URL": "", **environment},
    )  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    return json.loads(shown.stdout)


def test_one_redis_url_still_runs_every_role():
    assert roles(REDIS_URL="redis://127.0.0.1:6390/3") == ["redis://127.0.0.1:6390/3"] * 4


def test_each_role_can_name_its_own_server():
    assert roles(
        REDIS_URL="redis://one:6379/0",
        CELERY_BROKER_URL="redis://broker:6379/0",
        CACHE_URL="redis://cache:6379/0",
        STATE_REDIS_URL="redis://state:6379/0",
    ) == ["redis://broker:6379/0", "redis://cache:6379/0", "redis://state:6379/0", "redis://state:6379/0"]


def test_every_task_has_a_soft_and_a_hard_time_limit():
    from config.celery import app

    app.loader.import_default_modules()
    ours = {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}
    assert {"blog.tasks.ingest_source", "search.tasks.reindex_all_posts"} <= set(ours)
    for name, task in ours.items():
        soft = task.soft_time_limit or app.conf.task_soft_time_limit
        hard = task.time_limit or app.conf.task_time_limit
        assert soft and hard and soft < hard, name
        assert hard < app.conf.broker_transport_options["visibility_timeout"], name


def test_visibility_timeout_below_a_hard_limit_is_refused():
    result = run_manage("check", DEBUG="true", CELERY_VISIBILITY_TIMEOUT="100")
    assert result.returncode != 0
    assert "CELERY_VISIBILITY_TIMEOUT" in result.stderr
