"""Shared fixtures: the real PostgreSQL and Redis from the environment, isolated per worker."""

import os

import pytest


@pytest.fixture(autouse=True)
def isolated_settings(settings, tmp_path):
    """Per-test settings: plain static storage (no collectstatic manifest), a private media
    directory, and a cache key prefix per xdist worker so parallel tests share Redis safely."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STATIC_ROOT.mkdir()
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    settings.CACHES = {"default": {**settings.CACHES["default"], "KEY_PREFIX": f"inkstone-test-{worker}"}}


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
