"""Shared fixtures: the real PostgreSQL and Redis from the environment, isolated per worker."""

import os
import uuid

import pytest


@pytest.fixture(autouse=True)
def isolated_settings(settings, tmp_path):
    """Per-test settings: plain static storage (no collectstatic manifest), a private media
    directory, and a cache key prefix of its own so parallel tests share Redis safely."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STATIC_ROOT.mkdir()
    # Tests' transactions roll back, so the on-commit invalidation of cached pages never runs:
    # the page cache is off unless a test turns it on (tests/blog/test_page_cache.py does).
    settings.PAGE_CACHE_SECONDS = 0
    # A key prefix per test: cached pages and the content version never leak between tests.
    prefix = f"inkstone-test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "KEY_PREFIX": prefix},
        "state": {**settings.CACHES["state"], "KEY_PREFIX": prefix + "-state"},
    }


@pytest.fixture
def celery_worker(transactional_db):
    """A real Celery worker thread on the real Redis broker, with a queue of this test process's
    own so that parallel test processes (each with its own test database) never swap tasks."""
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    queue = f"inkstone-test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    previous_queue = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    try:
        with start_worker(
            app, pool="solo", concurrency=1, perform_ping_check=False, queues=[queue]
        ) as worker:
            yield worker
    finally:
        app.conf.task_default_queue = previous_queue


def pytest_terminal_summary(terminalreporter):
    """Print the fuzz suite's figures (tests/test_fuzz.py records them) at the end of every run."""
    for report in terminalreporter.stats.get("passed", []) + terminalreporter.stats.get("failed", []):
        summary = dict(report.user_properties).get("fuzz_summary")
        if summary and report.when == "call":
            terminalreporter.write_line(summary)
