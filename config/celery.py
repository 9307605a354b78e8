"""The Celery app; workers and beat start with `celery -A config worker|beat`."""

import os

from celery import Celery
from celery.signals import task_postrun, task_prerun

from config.log_events import NO_REQUEST, current_request_id

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("inkstone")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


# The id each running task replaced (a task run eagerly inside a request gives it back).
_replaced_ids = {}


@task_prerun.connect
def log_under_task_id(task_id=None, **kwargs):
    """A task's log lines carry its task id where a request's carry the request id."""
    _replaced_ids[task_id] = current_request_id.set(f"task:{task_id}")


@task_postrun.connect
def forget_task_id(task_id=None, **kwargs):
    token = _replaced_ids.pop(task_id, None)
    if token is not None:
        try:
            current_request_id.reset(token)
        except ValueError:  # set in another context (a pool thread): nothing to give back there
            current_request_id.set(NO_REQUEST)
