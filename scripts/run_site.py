"""Bring the whole site up locally: migrate, demo content, admin login, web + Celery worker + beat.

Run through `make run`, which provides DATABASE_URL and REDIS_URL (embedded servers where none
are configured). Ctrl-C stops every process this started.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
ADDRESS = os.environ.get("RUN_ADDRESS", "127.0.0.1:8000")


def manage(*args):
    """Run a manage.py command to completion, stopping here if it fails."""
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, check=True)


def main():
    (ROOT / "var").mkdir(exist_ok=True)
    manage("migrate", "--noinput")
    manage("load_demo")
    manage("create_demo_admin")
    processes = [
        subprocess.Popen(
            [PYTHON, "-m", "celery", "-A", "config", "worker", "--loglevel", "info", "--concurrency", "2"],
            cwd=ROOT,
        ),
        # The schedule lives in the state Redis (celery-redbeat, config/settings.py), not in a file.
        subprocess.Popen([PYTHON, "-m", "celery", "-A", "config", "beat", "--loglevel", "info"], cwd=ROOT),
        subprocess.Popen([PYTHON, "manage.py", "runserver", ADDRESS, "--noreload"], cwd=ROOT),
    ]
    print(f"\nInkstone is up at http://{ADDRESS}/ (admin at /admin/). Ctrl-C stops everything.\n", flush=True)
    stopping = False

    def stop(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    while not stopping and all(process.poll() is None for process in processes):
        time.sleep(0.5)
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
    return 0 if stopping else 1


if __name__ == "__main__":
    sys.exit(main())
