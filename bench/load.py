"""Load-test the site as production runs it and print requests/s, p50/p99 and errors per route.

Usage: python bench/load.py [--posts 100000] [--seconds 60] [--connections 32]

Starts gunicorn (2 workers, DEBUG=false, collected static files) over the timeline bench's
database (100,000 generated posts), then drives it with wrk from a second process on
loopback: one run per route, the --seconds split between the routes, each route's URLs
cycled by a small Lua script (timeline first pages and deep cursors, post pages, tag pages,
searches, feeds). Caches are warmed first. Needs wrk (`apt-get install wrk`).
"""

import argparse
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.database import bench_database_url
from bench.production import production_like_environment
from bench.report import report

# wrk runs this per thread: cycle through the route's paths, and print a JSON summary at the end.
LUA = """
local paths = {}
for line in io.lines(os.getenv("WRK_PATHS")) do paths[#paths + 1] = line end
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout + summary.errors.status
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "p50_ms": %.3f, "p99_ms": %.3f, "errors": %d, "non2xx": %d, '
    .. '"connect": %d, "read": %d, "write": %d, "timeout": %d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, errors, summary.errors.status, summary.errors.connect,
    summary.errors.read, summary.errors.write, summary.errors.timeout))
end
"""


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def route_paths(rng):
    """The URLs of each route, drawn from the data so every request is a real page."""
    from blog.cursors import encode_cursor
    from blog.models import Post, Tag

    live = Post.objects.published()
    total = live.count()
    ordered = live.order_by("-published_at", "-id").only("id", "published_at", "slug")
    posts = [ordered[rng.randrange(total)] for _ in range(200)]
    tags = list(
        Tag.objects.filter(tagged_posts__isnull=False).values_list("slug", flat=True).distinct()[:100]
    )
    words = ["注意力", "倒排索引", "梯度", "transformer", "AdamW", "负载均衡", "MoE", "softmax", "检索"]
    return {
        "timeline": ["/"] * 5 + [f"/?before={encode_cursor(post)}" for post in posts[:100]],
        "post": [post.get_absolute_url() for post in posts],
        "tag": [f"/tags/{slug}/" for slug in tags],
        "search": [f"/search/?q={urllib.request.quote(word)}" for word in words],
        "feed": ["/feeds/latest.atom"],
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--connections", type=int, default=32)
    options = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("bench/load.py needs wrk: apt-get install wrk")

    bench_database_url("timelinebench", fresh=False)
    production_like_environment()
    import django

    django.setup()
    from bench.generate_posts import generate_posts
    from blog.models import Post

    shortfall = options.posts - Post.objects.count()
    if shortfall > 0:
        generate_posts(shortfall, seed=5)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    gunicorn = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "--workers", "2", "--bind", f"127.0.0.1:{port}",
         "--access-logfile", "-", "--log-level", "warning"],
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_for(base)
        routes = {
            name: paths for name, paths in route_paths(random.Random(9)).items() if reachable(base + paths[0])
        }
        for paths in routes.values():  # warm every page once
            for path in paths:
                urllib.request.urlopen(base + path).read()  # noqa: S310 - our own loopback server
        per_route = max(5, options.seconds // len(routes))
        results = {
            name: run_wrk(base, paths, per_route, options.connections) for name, paths in routes.items()
        }
    finally:
        gunicorn.send_signal(signal.SIGTERM)
        gunicorn.wait(timeout=30)
    context = {"posts": Post.objects.count(), "connections": options.connections, "gunicorn_workers": 2}
    total_requests = sum(result["requests"] for result in results.values())
    total_seconds = sum(result["seconds"] for result in results.values())
    for name, result in results.items():
        label = f"load {name}"
        report("load", f"{label} requests/s", result["requests"] / result["seconds"], "req/s", **context)
        report("load", f"{label} p50", result["p50_ms"], "ms", **context)
        report("load", f"{label} p99", result["p99_ms"], "ms", **context)
        kinds = {kind: result[kind] for kind in ("non2xx", "connect", "read", "write", "timeout")}
        report("load", f"{label} errors", result["errors"], "errors", **context, **kinds)
    report("load", "load overall requests/s", total_requests / total_seconds, "req/s", **context)
    errors = sum(result["errors"] for result in results.values())
    if errors:
        raise SystemExit(f"{errors} requests failed")


def wait_for(base):
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/").read()  # noqa: S310 - our own loopback server
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not start")


def reachable(url):
    try:
        return urllib.request.urlopen(url).status == 200  # noqa: S310 - our own loopback server
    except OSError:
        print(f"skipping {url}: not served by this version", flush=True)
        return False


def run_wrk(base, paths, seconds, connections):
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "paths.lua"
        script.write_text(LUA)
        path_file = Path(folder) / "paths.txt"
        path_file.write_text("\n".join(paths) + "\n")
        output = subprocess.run(
            ["wrk", "--threads", "2", "--connections", str(connections), "--duration", f"{seconds}s",
             "--latency", "--script", str(script), base],
            env={**os.environ, "WRK_PATHS": str(path_file)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout  # fmt: skip
    lines = [line for line in output.splitlines() if line.startswith("{")]
    return json.loads(lines[-1])


if __name__ == "__main__":
    main()
