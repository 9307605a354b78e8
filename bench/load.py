"""Load-test the site as production runs it, each route as a share of the ceiling measured in the same run.

Usage: python bench/load.py [--posts 100000] [--seconds 15] [--mixed-seconds 60] [--connections 32]

Starts gunicorn (2 sync workers, DEBUG=false, collected static files) twice with the same
settings: once over Inkstone (the timeline bench's database at 100,000 posts, one of its own at
other sizes, filled by bench/generate_posts.py) and once over bench/ceiling.py, a bare WSGI app
returning a cached 40 KB page from Redis. wrk then drives each from a second process on loopback,
one run per route (timeline first pages and deep cursors, post pages, tag pages, the Atom feed,
the feed answered 304, searches, then a mixed load of every route's URLs at once), each between
two runs of the ceiling. Every page is warmed first, so this measures cached reads. Each route's
req/s and p99 are printed as a ratio of the mean of the two ceiling runs beside it: on a shared
machine whose load drifts during a run, a share measured minute by minute hardly moves.
Needs wrk (`apt-get install wrk`).
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

from bench.ceiling import seed_page
from bench.database import bench_database_url
from bench.production import production_like_environment
from bench.report import report

GUNICORN_WORKERS = 2

# wrk runs this per thread: cycle through the paths (a line may carry an If-None-Match value after
# a tab, for the 304 route), and print a JSON summary at the end.
LUA = """
local paths, etags = {}, {}
for line in io.lines(os.getenv("WRK_PATHS")) do
  local path, etag = line:match("^([^\\t]*)\\t?(.*)$")
  paths[#paths + 1] = path
  etags[#etags + 1] = etag
end
local i = 0
request = function()
  i = i + 1
  local n = (i % #paths) + 1
  if etags[n] ~= "" then
    return wrk.format("GET", paths[n], {["If-None-Match"] = etags[n]})
  end
  return wrk.format("GET", paths[n])
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
    words = ["注意力", "attention", "倒排索引", "梯度", "transformer", "AdamW", "负载均衡", "MoE", "检索"]
    return {
        "timeline": ["/"] * 5 + [f"/?before={encode_cursor(post)}" for post in posts[:100]],
        "post": [post.get_absolute_url() for post in posts],
        "tag": [f"/tags/{slug}/" for slug in tags],
        "feed": ["/feeds/latest.atom"],
        "search": [f"/search/?q={urllib.request.quote(word)}" for word in words],
    }


def gunicorn(app, port):
    """Start gunicorn serving `app` as the bench serves Inkstone (the ceiling gets the same flags)."""
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", app, "--workers", str(GUNICORN_WORKERS),
         "--bind", f"127.0.0.1:{port}", "--access-logfile", "-", "--log-level", "warning",
         # Two instances at once (and other projects' gunicorns) must not fight over one socket.
         "--no-control-socket"],
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
    )  # fmt: skip


def stop(process):
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=30)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=15, help="wrk seconds per route (and per ceiling run)")
    parser.add_argument("--mixed-seconds", type=int, default=60, help="seconds of the mixed load (0: none)")
    parser.add_argument("--connections", type=int, default=32)
    options = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("bench/load.py needs wrk: apt-get install wrk")

    # 100,000 posts is the timeline bench's database; other sizes get one of their own.
    bench_database_url("timelinebench" if options.posts == 100_000 else f"load{options.posts}", fresh=False)
    production_like_environment()
    import django

    django.setup()
    from bench.generate_posts import generate_posts
    from blog.models import Post

    shortfall = options.posts - Post.objects.count()
    if shortfall > 0:
        print(f"generating {shortfall:,} posts …", flush=True)
        generate_posts(shortfall, seed=5)
    seed_page()
    site_port, ceiling_port = free_port(), free_port()
    site, ceiling = f"http://127.0.0.1:{site_port}", f"http://127.0.0.1:{ceiling_port}"
    servers = [gunicorn("config.wsgi", site_port), gunicorn("bench.ceiling:application", ceiling_port)]
    results = {}
    try:
        wait_for(site)
        wait_for(ceiling)
        routes = {
            name: paths for name, paths in route_paths(random.Random(9)).items() if reachable(site + paths[0])
        }
        for paths in routes.values():  # warm every page once
            for path in paths:
                urllib.request.urlopen(site + path).read()  # noqa: S310 - our own loopback server
        if "feed" in routes:
            etag = urllib.request.urlopen(site + routes["feed"][0]).headers["ETag"]  # noqa: S310 - loopback
            routes["feed 304"] = [f"{routes['feed'][0]}\t{etag}"]
        runs = {name: (paths, options.seconds) for name, paths in routes.items()}
        if options.mixed_seconds > 0:
            mixed = [path for paths in routes.values() for path in paths]
            random.Random(4).shuffle(mixed)
            runs["mixed"] = (mixed, options.mixed_seconds)
        ceiling_runs = [run_wrk(ceiling, ["/"], options.seconds, options.connections)]
        for name, (paths, seconds) in runs.items():
            results[name] = run_wrk(site, paths, seconds, options.connections)
            ceiling_runs.append(run_wrk(ceiling, ["/"], options.seconds, options.connections))
            beside = ceiling_runs[-2:]
            results[name]["ceiling_rate"] = sum(run["requests"] / run["seconds"] for run in beside) / 2
            results[name]["ceiling_p99_ms"] = sum(run["p99_ms"] for run in beside) / 2
    finally:
        for server in servers:
            stop(server)
    report_results(results, ceiling_runs, options)


def report_results(results, ceiling_runs, options):
    """Report each route's figures and its share of the ceiling; fail when any request failed."""
    context = {
        "posts": options.posts,
        "connections": options.connections,
        "gunicorn_workers": GUNICORN_WORKERS,
        "seconds": options.seconds,
    }
    for number, run in enumerate(ceiling_runs, 1):
        rate = run["requests"] / run["seconds"]
        report("load", f"ceiling run {number} requests/s", rate, "req/s", **context)
        report("load", f"ceiling run {number} p99", run["p99_ms"], "ms", **context)
    lines = [
        "| route | req/s | ceiling beside it, req/s | share of ceiling | p99 ms | p99 ÷ ceiling's | errors |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, result in results.items():
        rate, ceiling_rate = result["requests"] / result["seconds"], result["ceiling_rate"]
        p99_share = result["p99_ms"] / result["ceiling_p99_ms"]
        label = f"load {name}"
        where = {**context, "seconds": options.mixed_seconds} if name == "mixed" else context
        report("load", f"{label} requests/s", rate, "req/s", **where)
        report("load", f"{label} ceiling requests/s", ceiling_rate, "req/s", **where)
        report("load", f"{label} share of ceiling", rate / ceiling_rate, "x", **where)
        report("load", f"{label} p99", result["p99_ms"], "ms", **where)
        report("load", f"{label} p99 / ceiling p99", p99_share, "x", **where)
        kinds = {kind: result[kind] for kind in ("non2xx", "connect", "read", "write", "timeout")}
        report("load", f"{label} errors", result["errors"], "errors", **where, **kinds)
        lines.append(
            f"| {name} | {rate:,.0f} | {ceiling_rate:,.0f} | {rate / ceiling_rate:.2f} | "
            f"{result['p99_ms']:.1f} | {p99_share:.2f} | {result['errors']} |"
        )
    print(f"\n{options.posts:,} posts, {os.cpu_count()} cores, wrk -t2 -c{options.connections}:")
    print("\n".join(lines), flush=True)
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
    raise SystemExit(f"gunicorn did not start at {base}")


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
