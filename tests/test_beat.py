"""Two real beat processes on one schedule (celery-redbeat, on a Redis of the test's own):
every period's task is sent once, the survivor takes over when the lock holder is killed, and
a restarted beat goes on from the last run kept in Redis instead of starting afresh."""

import itertools
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import redis

from tests.loopback_redis import redis_server

ROOT = Path(__file__).resolve().parent.parent
QUEUE = "beat-test"
LOCK_TIMEOUT = 3
# A beat with one entry, "tick", every TICK_SECONDS; the rest is the project's configuration.
BEAT = """
import os, sys
from config.celery import app
app.conf.beat_schedule = {
    "tick": {"task": "blog.tasks.publish_due_posts", "schedule": float(os.environ["TICK_SECONDS"])}
}
app.start(["beat", "--loglevel", "info", "--schedule", sys.argv[1]])
"""


class SentTasks:
    """Pop what beat sends to the queue, noting when each message arrived."""

    def __init__(self, url):
        self.client = redis.Redis.from_url(url)
        self.arrivals = []
        self.running = True
        self.thread = threading.Thread(target=self._consume, daemon=True)
        self.thread.start()

    def _consume(self):
        while self.running:
            popped = self.client.blpop([QUEUE], timeout=0.2)
            if popped:
                message = json.loads(popped[1])
                self.arrivals.append((time.monotonic(), message["headers"]["task"]))

    def stop(self):
        self.running = False
        self.thread.join(timeout=5)

    def gaps(self):
        times = [at for at, _task in self.arrivals]
        return [later - earlier for earlier, later in itertools.pairwise(times)]


@pytest.fixture
def beats(tmp_path):
    """Start beat processes against one Redis (broker and state); all are stopped at the end."""
    with redis_server(tmp_path) as url:
        started = []
        environment = {
            **{k: v for k, v in os.environ.items() if not k.startswith("CELERY_")},
            "DEBUG": "true",
            "REDIS_URL": url,
            "CELERY_BROKER_URL": url,
            "STATE_REDIS_URL": url,
            "CELERY_TASK_DEFAULT_QUEUE": QUEUE,
            "CELERY_BEAT_MAX_LOOP_INTERVAL": "1",
            "CELERY_REDBEAT_LOCK_TIMEOUT": str(LOCK_TIMEOUT),
        }

        def start(name, tick_seconds):
            log = open(tmp_path / f"{name}.log", "w")  # noqa: SIM115 (closed with the process)
            process = subprocess.Popen(
                [sys.executable, "-c", BEAT, str(tmp_path / f"{name}-schedule")],
                cwd=ROOT, env={**environment, "TICK_SECONDS": str(tick_seconds)},
                stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
            started.append((process, log))
            return process

        def holder_log(name):
            return (tmp_path / f"{name}.log").read_text()

        start.url = url
        start.log = holder_log
        try:
            yield start
        finally:
            for process, log in started:
                if process.poll() is None:
                    process.terminate()
                    try:
                        process.wait(timeout=10)
                    except subprocess.TimeoutExpired:
                        process.kill()
                log.close()


def wait_for(predicate, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_two_beats_send_each_period_once_and_the_survivor_takes_over(beats):
    sent = SentTasks(beats.url)
    first, second = beats("first", 1), beats("second", 1)
    try:
        assert wait_for(lambda: len(sent.arrivals) >= 1, 30), beats.log("first") + beats.log("second")
        time.sleep(6)
        holders = [name for name in ("first", "second") if "Acquired lock" in beats.log(name)]
        assert len(holders) == 1, "exactly one beat holds the lock"
        steady = len(sent.arrivals)
        assert all(gap > 0.5 for gap in sent.gaps()), f"a period was sent twice: {sent.gaps()}"

        holder, survivor = (first, "second") if holders == ["first"] else (second, "first")
        holder.send_signal(signal.SIGKILL)  # no chance to release the lock
        killed_at = time.monotonic()
        assert wait_for(lambda: "Acquired lock" in beats.log(survivor), LOCK_TIMEOUT + 15), beats.log(
            survivor
        )
        assert wait_for(lambda: any(at > killed_at + 1 for at, _task in sent.arrivals), 15)
        time.sleep(3)
    finally:
        sent.stop()
    assert len(sent.arrivals) > steady
    assert {task for _at, task in sent.arrivals} == {"blog.tasks.publish_due_posts"}
    assert all(gap > 0.5 for gap in sent.gaps()), f"a period was sent twice: {sent.gaps()}"


def run_count(url):
    """How many times beat has sent "tick", as RedBeat keeps it in Redis (0: no record)."""
    meta = redis.Redis.from_url(url).hget("inkstone-beat:tick", "meta")
    return json.loads(meta)["total_run_count"] if meta else 0


def test_a_restarted_beat_goes_on_from_the_last_run_kept_in_redis(beats):
    sent = SentTasks(beats.url)
    try:
        first = beats("first", 3)
        assert wait_for(lambda: len(sent.arrivals) >= 2, 30), beats.log("first")
        first.terminate()
        first.wait(timeout=10)
        before_restart = len(sent.arrivals)
        assert run_count(beats.url) == before_restart, "each run is recorded in Redis"

        beats("again", 3)
        assert wait_for(lambda: len(sent.arrivals) >= before_restart + 2, 30), beats.log("again")
    finally:
        sent.stop()
    # The count goes on from where the first beat left it: the restarted beat read its state.
    assert run_count(beats.url) == len(sent.arrivals)
    assert all(gap > 2 for gap in sent.gaps()), f"the restart repeated a run: {sent.gaps()}"
