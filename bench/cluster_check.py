"""A scale rehearsal on loopback: the shape of a real deployment, under load, with failures.

Usage: python bench/cluster_check.py [--quick] [--seconds 60] [--feeds 200] [--entries 50]
                                     [--posts 2000] [--no-docs]

Builds, on 127.0.0.1 only and from Debian's packages plus this checkout's code, a PostgreSQL
primary and a streaming replica (`pg_basebackup -R`), pgbouncer (transaction pooling) in front
of the primary, a broker Redis (`noeviction`, also the state Redis) and a cache Redis
(`allkeys-lru` with a small maxmemory, so eviction really happens), two gunicorn instances
behind nginx (round robin, `proxy_cache` honouring the pages' Cache-Control), two Celery
workers and two beat processes. Then, at once: a mixed read load through nginx (wrk, one Lua
script cycling timeline pages, cursors, posts, tags, series, searches and feeds) and the
ingestion of `--feeds` loopback feeds of `--entries` entries each; mid-run one worker and one
beat are killed (SIGKILL, as a crash would) and a post is unpublished. It reports, check by
check, what held and what did not, prints the table and keeps it in docs/benchmarks.md.

All wiring reaches the site through the environment the application reads: DATABASE_URL
(pgbouncer), DATABASE_REPLICA_URL, CACHE_URL, STATE_REDIS_URL, CELERY_BROKER_URL, REDIS_URL
(a non-evicting fallback), and the Celery time-limit variables. A variable the checked-out code
does not read shows up as a failed check, never as a crash. Everything started runs in a process
group of its own under one temporary directory, and is stopped (and the directory removed) on
success, failure or Ctrl-C. The whole run is bounded (under 10 minutes with the defaults).
"""

import argparse
import contextlib
import json
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
DOCS = ROOT / "docs" / "benchmarks.md"
SECTION_TITLE = "## cluster-check"
# The whole rehearsal ends within this many seconds, cleanup included.
TIME_BUDGET = 570
WEB_ROLE = "inkstone_web"
WORKER_ROLE = "inkstone_worker"

# wrk runs this per thread: cycle through the paths, print a JSON summary at the end.
WRK_LUA = """
local paths = {}
for line in io.lines(os.getenv("WRK_PATHS")) do paths[#paths + 1] = line end
local i = 0
setup = function(thread) thread:set("offset", math.random(1, #paths)) end
request = function()
  i = i + 1
  return wrk.format("GET", paths[((i + (offset or 0)) % #paths) + 1])
end
done = function(summary, latency, requests)
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "p50_ms": %.3f, "p99_ms": %.3f, "non2xx": %d, '
    .. '"connect": %d, "read": %d, "write": %d, "timeout": %d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, summary.errors.status, summary.errors.connect,
    summary.errors.read, summary.errors.write, summary.errors.timeout))
end
"""

NGINX_CONF = """
worker_processes 2;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
{user}
events {{ worker_connections 1024; }}
http {{
  access_log {dir}/access.log cluster;
  client_body_temp_path {dir}/body;
  proxy_temp_path {dir}/proxy;
  fastcgi_temp_path {dir}/fastcgi;
  uwsgi_temp_path {dir}/uwsgi;
  scgi_temp_path {dir}/scgi;
  upstream inkstone {{
    {servers}
    keepalive 32;
  }}
  # Only what the site's own Cache-Control allows is kept (no proxy_cache_valid): a page
  # without s-maxage/max-age is never served from here.
  proxy_cache_path {dir}/cache levels=1:2 keys_zone=pages:10m max_size=200m inactive=10m use_temp_path=off;
  server {{
    listen 127.0.0.1:{port};
    location / {{
      proxy_pass http://inkstone;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_cache pages;
      proxy_cache_key $scheme$http_host$request_uri;
      proxy_cache_lock on;
      # No "updating" here: it serves a stale copy for as long as an update fails to replace it,
      # and a removed post's 404 (not cacheable) never does, so it would be shown until the
      # entry goes inactive. Without it, the pages' own stale-while-revalidate bounds the
      # stale copy, and the documented window holds.
      proxy_cache_use_stale error timeout;
      proxy_cache_background_update on;
      proxy_cache_revalidate on;
      add_header X-Cache-Status $upstream_cache_status always;
    }}
  }}
}}
"""
NGINX_LOG_FORMAT = "$msec $status $upstream_addr $upstream_cache_status $request_uri"

PGBOUNCER_INI = """
[databases]
inkstone = host=127.0.0.1 port={primary_port} dbname=inkstone
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {dir}/users.txt
admin_users = postgres
stats_users = postgres
pool_mode = transaction
max_client_conn = 400
default_pool_size = 20
ignore_startup_parameters = extra_float_digits,options
log_connections = 0
log_disconnections = 0
"""

# Run in a child with the cluster's environment: what the checked-out settings made of it.
WIRING_PROBE = r"""
import json, os
import django
django.setup()
from django.conf import settings
from django.urls import Resolver404, resolve
from celery.schedules import crontab
from config.celery import app

def period(schedule):
    if isinstance(schedule, crontab):
        minute = schedule._orig_minute
        rest = (schedule._orig_hour, schedule._orig_day_of_week, schedule._orig_day_of_month,
                schedule._orig_month_of_year)
        if any(str(part) != "*" for part in rest):
            return None
        if str(minute) == "*":
            return 60
        if str(minute).startswith("*/"):
            return int(str(minute)[2:]) * 60
        return None
    seconds = getattr(schedule, "total_seconds", None)
    return seconds() if seconds else float(schedule) if isinstance(schedule, (int, float)) else None

try:
    resolve("/health/")
    health = True
except Resolver404:
    health = False
default = settings.DATABASES["default"]
print(json.dumps({
    "aliases": sorted(settings.DATABASES),
    "routers": list(getattr(settings, "DATABASE_ROUTERS", [])),
    "disable_server_side_cursors": bool(default.get("DISABLE_SERVER_SIDE_CURSORS")),
    "default_port": str(default.get("PORT")),
    "cache_location": str(settings.CACHES["default"]["LOCATION"]),
    "caches": sorted(settings.CACHES),
    "state_redis_url": getattr(settings, "STATE_REDIS_URL", None),
    "broker_url": app.conf.broker_url,
    "task_time_limit": app.conf.task_time_limit,
    "task_soft_time_limit": app.conf.task_soft_time_limit,
    "visibility_timeout": (app.conf.broker_transport_options or {}).get("visibility_timeout"),
    "beat_scheduler": str(app.conf.beat_scheduler),
    "schedule": {name: {"task": entry["task"], "period": period(entry["schedule"])}
                 for name, entry in app.conf.beat_schedule.items()},
    "shared_cache_seconds": getattr(settings, "SHARED_CACHE_SECONDS", None),
    "shared_cache_stale_seconds": getattr(settings, "SHARED_CACHE_STALE_SECONDS", None),
    "health_url": health,
}))
"""


# ---------------------------------------------------------------------------------------------
# Pure parts: parsing logs and rendering the report (tests/bench/test_cluster_check.py).


@dataclass
class Check:
    """One line of the report: what was measured, its value, what was expected, and whether it held."""

    name: str
    value: str
    expected: str = ""
    ok: bool | None = None  # None: a figure to read, not a pass/fail check
    note: str = ""

    @property
    def verdict(self):
        return "info" if self.ok is None else "pass" if self.ok else "FAIL"


# Celery's own format ("[2026-12-01 20:05:00,027: INFO/MainProcess] Scheduler: Sending due task
# x (…)") or any one-line format that starts with the time, with or without a UTC offset.
BEAT_SEND = re.compile(
    r"^\[?(?P<stamp>\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d)(?:[,.]\d+)?(?P<offset>Z|[+-]\d\d:?\d\d)?\b"
    r".*?Scheduler: Sending due task (?P<entry>\S+) \("
)


def beat_sends(log_text):
    """Return [(local naive datetime, entry name)] of every "Sending due task" line of a beat log."""
    sends = []
    for line in log_text.splitlines():
        match = BEAT_SEND.match(line)
        if not match:
            continue
        stamp = datetime.fromisoformat(match["stamp"].replace(" ", "T") + (match["offset"] or ""))
        if stamp.tzinfo is not None:  # a stamp with an offset: compare it in our local time
            stamp = stamp.astimezone().replace(tzinfo=None)
        sends.append((stamp, match["entry"]))
    return sends


def runs_per_period(sends, periods, start, end, margin=5):
    """Count sends of each entry per period, over the periods wholly inside [start, end].

    `sends` is [(datetime, entry)], from every beat; `periods` maps entry → seconds (entries
    without a fixed period are left out). A period counts when it began at least `margin`
    seconds after `start` and `margin` seconds before `end`, so a beat that had just started
    or a run that ended mid-period is not taken for a missed run. Returns
    {entry: {period start (datetime): number of sends}}.
    """
    counts = {}
    for entry, seconds in periods.items():
        if not seconds:
            continue
        seconds = int(seconds)
        first = (int(start.timestamp()) + margin + seconds - 1) // seconds * seconds
        buckets = {}
        moment = first
        while moment <= end.timestamp() - margin:
            buckets[datetime.fromtimestamp(moment)] = 0
            moment += seconds
        for stamp, name in sends:
            if name != entry:
                continue
            bucket = datetime.fromtimestamp(int(stamp.timestamp()) // seconds * seconds)
            if bucket in buckets:
                buckets[bucket] += 1
        counts[entry] = buckets
    return counts


def period_summary(counts, after=None):
    """Return (periods, exactly once, more than once, never) over `counts`, only those from `after`."""
    total = once = more = never = 0
    for buckets in counts.values():
        for bucket, sends in buckets.items():
            if after is not None and bucket < after:
                continue
            total += 1
            once += sends == 1
            more += sends > 1
            never += sends == 0
    return total, once, more, never


def parse_nginx_log(text, since=0.0):
    """Summarise an access log written with NGINX_LOG_FORMAT from `since` (epoch seconds).

    Returns {"requests", "statuses", "upstreams", "cache", "cache_by_kind", "failures"}
    (Counters; cache_by_kind splits cache statuses between "page" and "feed"; failures by
    "status path" for statuses of 400 and above); an upstream retried ("a, b") counts for each
    address named.
    """
    statuses, upstreams, cache, failures = Counter(), Counter(), Counter(), Counter()
    cache_by_kind = {"page": Counter(), "feed": Counter()}
    requests = 0
    for line in text.splitlines():
        parts = line.split(" ")
        if len(parts) < 5:
            continue
        try:
            stamp = float(parts[0])
        except ValueError:
            continue
        if stamp < since:
            continue
        requests += 1
        statuses[parts[1]] += 1
        if parts[1] >= "400":
            failures[f"{parts[1]} {parts[-1]}"] += 1
        # "$upstream_addr" may be "a, b" (a retry) or "-" (answered from the cache).
        middle = " ".join(parts[2:-2])
        for address in middle.replace(",", " ").split():
            if address != "-":
                upstreams[address] += 1
        cache[parts[-2]] += 1
        cache_by_kind["feed" if is_feed_path(parts[-1]) else "page"][parts[-2]] += 1
    return {
        "requests": requests,
        "statuses": statuses,
        "upstreams": upstreams,
        "cache": cache,
        "cache_by_kind": cache_by_kind,
        "failures": failures,
    }


def is_feed_path(path):
    """True for the site's feed URLs (RSS, Atom, JSON Feed), which carry a Cache-Control of their own."""
    return path.split("?", 1)[0].endswith((".atom", ".rss", ".json"))


def render_table(checks):
    """The report as a Markdown table."""
    lines = ["| check | value | expected | verdict | note |", "| --- | --- | --- | --- | --- |"]
    for check in checks:
        cells = [check.name, check.value, check.expected, check.verdict, check.note]
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines)


def replace_section(document, section):
    """Return `document` with its cluster-check section (to the next "## " or the end) replaced.

    The section is appended when the document has none.
    """
    start = document.find(SECTION_TITLE + "\n")
    if start < 0:
        return document.rstrip("\n") + "\n\n" + section.rstrip("\n") + "\n"
    after = document.find("\n## ", start + len(SECTION_TITLE))
    rest = "" if after < 0 else document[after:]
    return document[:start] + section.rstrip("\n") + "\n" + rest


def kill_offset(load_started, beats_started, seconds, period=60, margin=5):
    """Seconds into the load at which to kill a worker and a beat (times are epoch seconds).

    After the first whole beat period with both beats up (plus a few seconds, so its sends are
    logged), within 30%–85% of the load so the kill is always mid-run.
    """
    first_period = (int(beats_started) + margin + period - 1) // period * period
    wanted = first_period + margin + 3 - load_started
    return min(max(wanted, 0.3 * seconds), 0.85 * seconds)


def iterator_calls(root):
    """How many `.iterator(` calls the project's own code makes (tests, benches and virtualenvs aside)."""
    skipped = {"tests", "bench", "var", ".venv", "node_modules", ".git"}
    count = 0
    for path in root.rglob("*.py"):
        if skipped.isdisjoint(path.relative_to(root).parts):
            count += path.read_text(encoding="utf-8", errors="replace").count(".iterator(")
    return count


def share(part, whole):
    """`part` of `whole` as a percentage string."""
    return f"{100 * part / whole:.1f}%" if whole else "n/a"


# ---------------------------------------------------------------------------------------------
# Processes: each in a group of its own, stopped whatever happens.


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def service_account():
    """The account servers run as: ourselves, or "postgres" when we are root (PostgreSQL refuses root)."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam("postgres")
    except KeyError:
        raise SystemExit("Running as root needs a 'postgres' account for the servers.") from None


@dataclass
class Process:
    """A started process: the leader of its own process group, logging to `log`."""

    name: str
    popen: subprocess.Popen
    log: Path
    stop_signal: int = signal.SIGTERM


@dataclass
class Cluster:
    """Everything the rehearsal started, under one temporary directory."""

    root: Path
    account: object = None
    processes: list = field(default_factory=list)

    def path(self, *parts, owned=False):
        """A directory under the root, created (and given to the service account if `owned`)."""
        target = self.root.joinpath(*parts)
        target.mkdir(parents=True, exist_ok=True)
        if owned and self.account:
            os.chown(target, self.account.pw_uid, self.account.pw_gid)
        return target

    def start(self, name, argv, env=None, as_service=False, stop_signal=signal.SIGTERM, cwd=ROOT):
        log = self.root / "logs" / f"{name}.log"
        log.parent.mkdir(exist_ok=True)
        extra = {}
        if as_service and self.account:
            extra = {"user": self.account.pw_uid, "group": self.account.pw_gid, "extra_groups": []}
        with log.open("ab") as output:
            popen = subprocess.Popen(
                argv,
                cwd=cwd,
                env=env if env is not None else os.environ.copy(),
                stdout=output,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                **extra,
            )
        process = Process(name, popen, log, stop_signal)
        self.processes.append(process)
        return process

    def run(self, argv, as_service=False, env=None):
        """Run a command to its end (as the service account if asked); raise with its output on failure."""
        extra = {}
        if as_service and self.account:
            extra = {"user": self.account.pw_uid, "group": self.account.pw_gid, "extra_groups": []}
        result = subprocess.run(
            argv, cwd=self.root, capture_output=True, text=True, env=env, start_new_session=True, **extra
        )
        if result.returncode:
            raise SystemExit(f"{argv[0]} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def kill(self, process):
        """SIGKILL the whole group of `process`, as a crash of its machine would."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.popen.pid, signal.SIGKILL)
        process.popen.wait(timeout=10)

    def stop_all(self):
        """Stop every process, newest first; SIGKILL the groups that do not end within 15 s."""
        for process in reversed(self.processes):
            if process.popen.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.popen.pid, process.stop_signal)
        deadline = time.monotonic() + 15
        for process in reversed(self.processes):
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.popen.wait(timeout=max(0.1, deadline - time.monotonic()))
            # The group may outlive its leader (a gunicorn or pool child): end it too.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.popen.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            for process in self.processes:
                process.popen.wait(timeout=5)

    def survivors(self):
        """Names of processes (groups) still alive."""
        alive = []
        for process in self.processes:
            try:
                os.killpg(process.popen.pid, 0)
                alive.append(process.name)
            except ProcessLookupError:
                pass
            except PermissionError:
                alive.append(process.name)
        return alive


def wait_until(predicate, timeout, label, interval=0.3):
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        try:
            if predicate():
                return
        except Exception as error:  # the service is still starting: say why if it never does
            last_error = error
        time.sleep(interval)
    raise SystemExit(f"timed out waiting for {label}" + (f": {last_error}" if last_error else ""))


def connect(port, dbname="inkstone", user="postgres"):
    import psycopg

    return psycopg.connect(host="127.0.0.1", port=port, dbname=dbname, user=user, autocommit=True)


def fetch(url, timeout=10):
    """(status, headers, body text) of a GET, errors included."""
    request = urllib.request.Request(url, headers={"User-Agent": "cluster-check"})  # noqa: S310 - loopback
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - loopback
            return response.status, response.headers, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode("utf-8", "replace")
    except OSError as error:
        return 0, {}, str(error)


# ---------------------------------------------------------------------------------------------
# Building the cluster.


class Rehearsal:
    """Builds the cluster, runs the load with its failures, and turns what it saw into checks."""

    def __init__(self, options, cluster):
        self.options = options
        self.cluster = cluster
        self.ports = {
            name: free_port()
            for name in ("primary", "replica", "pgbouncer", "broker", "cache", "nginx", "web1", "web2")
        }
        self.events = []  # "t+… s  what happened", from the start of the load
        self.checks = []
        self.shared_settings = {}  # production-like settings every site process gets

    # --- databases -----------------------------------------------------------------------
    def start_postgres(self):
        cluster, ports = self.cluster, self.ports
        for binary in ("initdb", "postgres", "pg_basebackup"):
            if not (PG_BIN / binary).exists():
                raise SystemExit(f"{PG_BIN / binary} is missing: apt-get install postgresql-15")
        primary = cluster.path("pg", "primary", owned=True)
        sockets = cluster.path("pg", "sockets", owned=True)
        cluster.path("pg", owned=True)
        cluster.run(
            [
                str(PG_BIN / "initdb"),
                "-D",
                str(primary),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
                "--locale=C.UTF-8",
            ],
            as_service=True,
        )
        common = [
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            f"unix_socket_directories={sockets}",
            "-c",
            "shared_preload_libraries=pg_stat_statements",
            "-c",
            "pg_stat_statements.track=all",
            "-c",
            "max_connections=200",
            "-c",
            "wal_level=replica",
            "-c",
            "max_wal_senders=5",
            "-c",
            "hot_standby=on",
            "-c",
            "hot_standby_feedback=on",
            "-c",
            "fsync=off",
            "-c",
            "synchronous_commit=on",
            "-c",
            "logging_collector=off",
        ]
        self.primary = cluster.start(
            "postgres-primary",
            [str(PG_BIN / "postgres"), "-D", str(primary), "-p", str(ports["primary"]), *common],
            as_service=True,
            # Fast shutdown: pgbouncer's idle server connections would hold up a smart one.
            stop_signal=signal.SIGINT,
        )
        wait_until(lambda: connect(ports["primary"], "postgres").close() or True, 60, "the primary")
        with connect(ports["primary"], "postgres") as admin:
            admin.execute("CREATE DATABASE inkstone")
            for role in (WEB_ROLE, WORKER_ROLE):
                # A role per kind of process: pg_stat_statements then tells whose reads went where.
                admin.execute(f"CREATE ROLE {role} LOGIN SUPERUSER")
        with connect(ports["primary"]) as database:
            database.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        replica = self.cluster.root / "pg" / "replica"
        cluster.run(
            [
                str(PG_BIN / "pg_basebackup"),
                "-h",
                "127.0.0.1",
                "-p",
                str(ports["primary"]),
                "-U",
                "postgres",
                "-D",
                str(replica),
                "-R",
                "-X",
                "stream",
                "-c",
                "fast",
                "--no-sync",
            ],
            as_service=True,
        )
        self.replica = cluster.start(
            "postgres-replica",
            [str(PG_BIN / "postgres"), "-D", str(replica), "-p", str(ports["replica"]), *common],
            as_service=True,
            stop_signal=signal.SIGINT,
        )
        wait_until(lambda: connect(ports["replica"]).close() or True, 60, "the replica")

        def streaming():
            with connect(ports["primary"]) as database:
                return database.execute(
                    "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'"
                ).fetchone()[0]

        wait_until(streaming, 30, "streaming replication")

    def start_pgbouncer(self):
        if not shutil.which("pgbouncer"):
            raise SystemExit("pgbouncer is missing: apt-get install pgbouncer")
        folder = self.cluster.path("pgbouncer", owned=True)
        (folder / "users.txt").write_text(
            "".join(f'"{user}" ""\n' for user in ("postgres", WEB_ROLE, WORKER_ROLE))
        )
        (folder / "pgbouncer.ini").write_text(
            PGBOUNCER_INI.format(primary_port=self.ports["primary"], port=self.ports["pgbouncer"], dir=folder)
        )
        self.cluster.start(
            "pgbouncer", ["pgbouncer", str(folder / "pgbouncer.ini")], as_service=True, cwd=folder
        )
        wait_until(lambda: connect(self.ports["pgbouncer"]).close() or True, 30, "pgbouncer")

    def pgbouncer_stats(self):
        """pgbouncer's SHOW STATS row of the inkstone database, as a dict.

        Its admin console speaks only the simple query protocol: hence the ClientCursor.
        """
        import psycopg

        with psycopg.connect(
            host="127.0.0.1",
            port=self.ports["pgbouncer"],
            dbname="pgbouncer",
            user="postgres",
            autocommit=True,
        ) as admin:
            cursor = psycopg.ClientCursor(admin)
            cursor.execute("SHOW STATS")
            names = [column.name for column in cursor.description]
            for row in cursor.fetchall():
                values = dict(zip(names, row, strict=True))
                if values.get("database") == "inkstone":
                    return values
        return {}

    # --- redis ---------------------------------------------------------------------------
    def start_redis(self):
        if not shutil.which("redis-server"):
            raise SystemExit("redis-server is missing: apt-get install redis-server")
        folder = self.cluster.path("redis")
        base = [
            "redis-server",
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(folder),
        ]
        self.cluster.start(
            "redis-broker", [*base, "--port", str(self.ports["broker"]), "--maxmemory-policy", "noeviction"]
        )
        self.cluster.start(
            "redis-cache",
            [
                *base,
                "--port",
                str(self.ports["cache"]),
                "--maxmemory",
                self.options.cache_memory,
                "--maxmemory-policy",
                "allkeys-lru",
            ],
        )
        import redis

        self.broker_redis = redis.Redis(port=self.ports["broker"])
        self.cache_redis = redis.Redis(port=self.ports["cache"])
        wait_until(self.broker_redis.ping, 20, "the broker Redis")
        wait_until(self.cache_redis.ping, 20, "the cache Redis")

    # --- the site's environment ----------------------------------------------------------
    def environment(self, role):
        """The environment of one kind of process ("web", "worker", or "admin": this script)."""
        ports = self.ports
        user = {"web": WEB_ROLE, "worker": WORKER_ROLE, "admin": "postgres"}[role]
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("DATABASE_", "REDIS_", "CACHE_", "CELERY_", "STATE_"))
        }
        broker = f"redis://127.0.0.1:{ports['broker']}"
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "config.settings",
                "DATABASE_URL": f"postgres://{user}@127.0.0.1:{ports['pgbouncer']}/inkstone",
                "DATABASE_REPLICA_URL": f"postgres://{user}@127.0.0.1:{ports['replica']}/inkstone",
                # Reused connections through a transaction pooler are only connections to pgbouncer.
                "DATABASE_CONN_MAX_AGE": "60",
                "DATABASE_TRANSACTION_POOLING": "true",
                "CELERY_BROKER_URL": f"{broker}/0",
                "STATE_REDIS_URL": f"{broker}/1",
                # The fallback of every role a branch does not split out: a Redis that never evicts.
                "REDIS_URL": f"{broker}/2",
                "CACHE_URL": f"redis://127.0.0.1:{ports['cache']}/0",
                "INGEST_ALLOW_PRIVATE": "true",
                # Limits short enough that a task lost with a killed worker comes back within the run:
                # an unacknowledged message returns after the visibility timeout, which must outlast
                # every hard limit.
                "INGEST_TOTAL_TIMEOUT": "20",
                "INGEST_TASK_SOFT_TIME_LIMIT": "40",
                "INGEST_TASK_TIME_LIMIT": "50",
                "CELERY_TASK_SOFT_TIME_LIMIT": "40",
                "CELERY_TASK_TIME_LIMIT": "50",
                "REINDEX_TASK_SOFT_TIME_LIMIT": "60",
                "REINDEX_TASK_TIME_LIMIT": "70",
                "CELERY_VISIBILITY_TIMEOUT": "90",
                "ALLOWED_HOSTS": "127.0.0.1,localhost",
                "PYTHONUNBUFFERED": "1",
            }
        )
        return env

    def prepare_site(self):
        """Migrate (straight to the primary), collect static files, set this process up as a client."""
        from bench.production import production_like_environment

        admin = self.environment("admin")
        # Migrations take session-level state a transaction pooler would not keep: straight to the primary.
        admin["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:{self.ports['primary']}/inkstone"
        os.environ.update(admin)
        production_like_environment()  # DEBUG off, SECRET_KEY, collectstatic
        for key in (
            "DEBUG",
            "SECRET_KEY",
            "SECURE_SSL_REDIRECT",
            "SESSION_COOKIE_SECURE",
            "CSRF_COOKIE_SECURE",
            "STATIC_ROOT",
        ):
            self.shared_settings[key] = os.environ[key]
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=ROOT,
            check=True,
            env=os.environ,
        )
        probe = subprocess.run(
            [sys.executable, "-c", WIRING_PROBE],
            cwd=ROOT,
            env={**self.environment("web"), **self.shared_settings},
            capture_output=True,
            text=True,
        )
        if probe.returncode:
            raise SystemExit(f"the settings did not load with the cluster's environment:\n{probe.stderr}")
        self.wiring = json.loads(probe.stdout.strip().splitlines()[-1])
        import django

        django.setup()

    def env_for(self, role):
        return {**self.environment(role), **self.shared_settings}

    def load_posts(self):
        from bench.generate_posts import generate_posts

        generate_posts(self.options.posts, seed=20, workers=2, stdout=open(os.devnull, "w"))  # noqa: SIM115

    # --- web -----------------------------------------------------------------------------
    def start_web(self):
        for name in ("web1", "web2"):
            self.cluster.start(
                f"gunicorn-{name}",
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "config.wsgi",
                    "--workers",
                    "2",
                    "--bind",
                    f"127.0.0.1:{self.ports[name]}",
                    "--timeout",
                    "30",
                    "--graceful-timeout",
                    "5",
                    "--log-level",
                    "warning",
                ],
                env=self.env_for("web"),
            )
        folder = self.cluster.path("nginx")
        for sub in ("cache", "body", "proxy", "fastcgi", "uwsgi", "scgi"):
            self.cluster.path("nginx", sub)
        user = ""
        if os.geteuid() == 0:  # nginx's workers drop to nobody: give them their directories
            nobody = pwd.getpwnam("nobody")
            user = "user nobody nogroup;"
            for sub in folder.iterdir():
                if sub.is_dir():
                    os.chown(sub, nobody.pw_uid, nobody.pw_gid)
        servers = "\n    ".join(f"server 127.0.0.1:{self.ports[name]};" for name in ("web1", "web2"))
        conf = NGINX_CONF.format(dir=folder, user=user, servers=servers, port=self.ports["nginx"])
        conf = conf.replace("http {", f"http {{\n  log_format cluster '{NGINX_LOG_FORMAT}';", 1)
        (folder / "nginx.conf").write_text(conf)
        self.cluster.start(
            "nginx",
            [
                "nginx",
                "-p",
                str(folder),
                "-c",
                str(folder / "nginx.conf"),
                "-e",
                str(folder / "error.log"),
                "-g",
                "daemon off;",
            ],
            stop_signal=signal.SIGQUIT,
        )
        self.base = f"http://127.0.0.1:{self.ports['nginx']}"
        for name in ("web1", "web2"):
            wait_until(lambda name=name: fetch(self.direct(name) + "/")[0] == 200, 90, f"gunicorn {name}")
        wait_until(lambda: fetch(self.base + "/")[0] == 200, 30, "nginx")

    def direct(self, name):
        return f"http://127.0.0.1:{self.ports[name]}"

    # --- celery --------------------------------------------------------------------------
    def start_celery(self):
        self.workers = [
            self.cluster.start(
                f"worker{index}",
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "config",
                    "worker",
                    "--concurrency",
                    "1",
                    "--hostname",
                    f"worker{index}@%h",
                    "--loglevel",
                    "info",
                    "--without-gossip",
                    "--without-mingle",
                ],
                env=self.env_for("worker"),
            )
            for index in (1, 2)
        ]
        folder = self.cluster.path("beat")
        self.beats = [
            self.cluster.start(
                f"beat{index}",
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "config",
                    "beat",
                    "--loglevel",
                    "info",
                    "--schedule",
                    str(folder / f"beat{index}-schedule"),
                ],
                env=self.env_for("worker"),
            )
            for index in (1, 2)
        ]
        self.beats_started = datetime.now()

        def worker_ready(worker):
            return "ready." in worker.log.read_text(errors="replace")

        for worker in self.workers:
            wait_until(lambda worker=worker: worker_ready(worker), 90, f"{worker.name} to be ready")

    # --- the load ------------------------------------------------------------------------
    def read_paths(self):
        """Paths of every public route, drawn from the data; and a post kept out of them to unpublish."""
        import random

        from blog.cursors import encode_cursor
        from blog.models import Post, Series, Tag

        rng = random.Random(20)
        live = list(
            Post.objects.published().order_by("-published_at", "-id").only("id", "slug", "published_at")
        )
        victim = live[len(live) // 3]
        sample = [post for post in rng.sample(live, min(300, len(live))) if post.pk != victim.pk]
        tags = list(
            Tag.objects.filter(tagged_posts__isnull=False).values_list("slug", flat=True).distinct()[:60]
        )
        series = list(
            Series.objects.filter(pk__in=Post.objects.published().values("series_id"))
            .values_list("slug", flat=True)
            .distinct()[:30]
        )
        words = ["注意力", "倒排索引", "梯度", "transformer", "AdamW", "负载均衡", "softmax", "检索"]
        paths = (
            ["/"] * 20
            + [f"/?before={quote(encode_cursor(post))}" for post in sample[:60]]
            + [post.get_absolute_url() for post in sample]
            + [f"/tags/{slug}/" for slug in tags]
            + [f"/series/{slug}/" for slug in series]
            + [f"/search/?q={quote(word)}" for word in words]
            + ["/feeds/latest.atom", "/feeds/latest.rss", "/archive/"]
        )
        rng.shuffle(paths)
        self.title_probes = [(post.get_absolute_url(), post.pk) for post in sample[:80]]
        return paths, victim

    def start_wrk(self, paths, seconds):
        folder = self.cluster.path("wrk")
        (folder / "paths.lua").write_text(WRK_LUA)
        (folder / "paths.txt").write_text("\n".join(paths) + "\n")
        env = {**os.environ, "WRK_PATHS": str(folder / "paths.txt")}
        return self.cluster.start(
            "wrk",
            [
                "wrk",
                "--threads",
                "2",
                "--connections",
                str(self.options.connections),
                "--duration",
                f"{seconds}s",
                "--timeout",
                "10s",
                "--latency",
                "--script",
                str(folder / "paths.lua"),
                self.base,
            ],
            env=env,
        )

    def run(self):
        options = self.options
        started = time.monotonic()
        deadline = started + TIME_BUDGET - 40  # leave time for the report and the cleanup
        print(f"cluster under {self.cluster.root}; ports {self.ports}", flush=True)
        # The box is shared: figures are comparable only with the load around them.
        self.load_average = f"{os.getloadavg()[0]:.1f}"
        self.start_postgres()
        self.start_pgbouncer()
        self.start_redis()
        self.prepare_site()
        self.start_celery()  # early, so that beat periods pass with both beats up before the kill
        print(f"migrated in {time.monotonic() - started:.0f} s; loading {options.posts} posts", flush=True)
        self.load_posts()
        self.start_web()
        paths, victim = self.read_paths()
        self.victim_path = victim.get_absolute_url()
        # In nginx's cache and the site's before it is unpublished, so both must let it go.
        for base in (self.base, self.direct("web1"), self.direct("web2"), self.base):
            fetch(base + self.victim_path)
        print(f"cluster up in {time.monotonic() - started:.0f} s; load for {options.seconds} s", flush=True)

        from bench.ingest import serve_feeds
        from blog.models import Post, Source
        from blog.tasks import ingest_source

        server, feeds_base = serve_feeds(options.feeds, options.entries)
        try:
            self.rehearse(paths, victim, feeds_base, deadline, Post, Source, ingest_source)
        finally:
            server.shutdown()
        self.elapsed = time.monotonic() - started

    def rehearse(self, paths, victim, feeds_base, deadline, Post, Source, ingest_source):
        options = self.options
        with connect(self.ports["primary"]) as primary, connect(self.ports["replica"]) as replica:
            for database in (primary, replica):
                database.execute("SELECT pg_stat_statements_reset()")
        self.cache_redis.config_resetstat()
        nginx_log = self.cluster.root / "nginx" / "access.log"
        load_started_at = time.time()
        monitor = Monitor(self)
        monitor.start()
        wrk = self.start_wrk(paths, options.seconds)
        load_started = time.monotonic()
        sources = Source.objects.bulk_create(
            Source(feed_url=f"{feeds_base}/{feed}.xml", title=f"Loopback feed {feed}")
            for feed in range(options.feeds)
        )
        self.source_ids = [source.pk for source in sources]
        for source in sources:
            ingest_source.delay(source.pk)
        self.event(load_started, f"{len(sources)} feed polls enqueued")

        # Mid-run: a post is unpublished; a worker and a beat die as a crash would, once a
        # whole beat period has passed with both beats up.
        kill_at = kill_offset(load_started_at, self.beats_started.timestamp(), options.seconds)
        for offset, action in sorted([(options.seconds * 0.5, "unpublish"), (kill_at, "kill")]):
            time.sleep(max(0.0, load_started + offset - time.monotonic()))
            if action == "unpublish":
                Post.objects.filter(pk=victim.pk).unpublish()
                self.unpublished_at = time.monotonic()
                self.event(load_started, f"post {victim.pk} unpublished")
                monitor.watch_victim(victim.get_absolute_url(), self.unpublished_at)
                continue
            self.cluster.kill(self.workers[0])
            self.event(load_started, f"{self.workers[0].name} killed (SIGKILL, with its pool)")
            sending, why = self.sending_beat()
            self.cluster.kill(sending)
            self.beat_killed_at = datetime.now()
            self.event(load_started, f"{sending.name} killed (SIGKILL; {why})")

        wrk.popen.wait(timeout=options.seconds + 60)
        self.event(load_started, "read load over")
        self.wrk = json.loads([line for line in wrk.log.read_text().splitlines() if line.startswith("{")][-1])
        self.nginx = parse_nginx_log(nginx_log.read_text(errors="replace"), since=load_started_at)

        # Drain: every entry stored, rendered, excerpted and indexed, and the queue empty; and
        # at least one whole beat period after the beat was killed.
        total = options.feeds * options.entries
        period_after_kill = (int(self.beat_killed_at.timestamp()) // 60 + 1) * 60 + 15
        window = self.shared_cache_window()

        def settled():
            complete = self.half_made(Post) == 0 and self.stored(Post) >= total
            queue_empty = self.broker_redis.llen(self.queue_name()) == 0
            return (
                complete
                and queue_empty
                and time.time() >= period_after_kill
                and time.monotonic() >= self.unpublished_at + window + 3
            )

        while time.monotonic() < deadline and not settled():
            time.sleep(1)
        self.event(load_started, "drained" if settled() else "drain deadline reached")
        monitor.stop()
        self.monitor = monitor
        self.ended = datetime.now()
        self.collect(Post, total, victim)

    def event(self, since, what):
        line = f"t+{time.monotonic() - since:5.1f} s  {what}"
        self.events.append(line)
        print(line, flush=True)

    def queue_name(self):
        from django.conf import settings

        return settings.CELERY_TASK_DEFAULT_QUEUE

    def sending_beat(self):
        """The beat that logged the latest "Sending due task" (the lock holder, if there is a lock),
        and why it was chosen."""
        latest = {}
        for beat in self.beats:
            sends = beat_sends(beat.log.read_text(errors="replace"))
            latest[beat.name] = sends[-1][0] if sends else datetime.min
        chosen = max(self.beats, key=lambda beat: latest[beat.name])
        if latest[chosen.name] == datetime.min:
            return chosen, "no beat had sent a task yet"
        return chosen, "it had sent the latest due task"

    def shared_cache_window(self):
        """Seconds a shared cache may keep showing a removed post, as the settings document it."""
        seconds = self.wiring.get("shared_cache_seconds") or 0
        stale = self.wiring.get("shared_cache_stale_seconds") or 0
        return seconds + stale

    def stored(self, Post):
        return Post.objects.filter(source_id__in=self.source_ids).count()

    def half_made(self, Post):
        """Ingested posts missing their rendered body, excerpt or (when live) search document."""
        from django.db.models import Q

        ingested = Post.objects.filter(source_id__in=self.source_ids)
        missing = Q(body_html="") | Q(excerpt="")
        live = Q(status__in=Post.LIVE_STATUSES) & Q(search_document__isnull=True)
        return ingested.filter(missing | live).count()

    # --- the report ----------------------------------------------------------------------
    def collect(self, Post, total, victim):
        wiring, checks = self.wiring, self.checks
        add = checks.append
        wrk = self.wrk
        errors = sum(wrk[kind] for kind in ("non2xx", "connect", "read", "write", "timeout"))
        add(
            Check(
                "read load through nginx",
                f"{wrk['requests'] / wrk['seconds']:,.0f} req/s",
                note=f"{wrk['requests']:,} requests in {wrk['seconds']:.0f} s, {self.options.connections} "
                f"connections, {len(self.title_probes)} post pages among the mixed routes",
            )
        )
        add(Check("p50 / p99 through nginx", f"{wrk['p50_ms']:.1f} ms / {wrk['p99_ms']:.0f} ms"))
        kinds = ", ".join(f"{kind} {wrk[kind]}" for kind in ("non2xx", "connect", "read", "write", "timeout"))
        # The probes of the unpublished post expect its 404: they are not the load's failures.
        failures = Counter(
            {
                what: count
                for what, count in self.nginx["failures"].items()
                if not what.endswith(self.victim_path)
            }
        )
        if failures:
            kinds += "; " + ", ".join(f"{what} ×{count}" for what, count in failures.most_common(4))
        add(Check("errors", str(errors), "0", errors == 0, kinds))
        upstreams = self.nginx["upstreams"]
        spread = [upstreams.get(f"127.0.0.1:{self.ports[name]}", 0) for name in ("web1", "web2")]
        to_app = sum(spread)
        balanced = to_app > 0 and min(spread) >= 0.3 * to_app
        add(
            Check(
                "load balancing (requests to gunicorn 1 / 2)",
                f"{spread[0]:,} / {spread[1]:,}",
                "each ≥ 30%",
                balanced,
            )
        )
        for kind, label in (("page", "HTML pages"), ("feed", "feeds")):
            cache = self.nginx["cache_by_kind"][kind]
            answered = cache.get("HIT", 0) + cache.get("STALE", 0) + cache.get("UPDATING", 0)
            statuses = ", ".join(f"{key} {value:,}" for key, value in cache.most_common())
            add(
                Check(
                    f"nginx proxy_cache answers, {label}",
                    share(answered, sum(cache.values())),
                    "> 0%",
                    answered > 0,
                    statuses
                    + ("" if answered else f"; the {label} carry no Cache-Control a shared cache may use"),
                )
            )

        stored = self.stored(Post)
        distinct = (
            Post.objects.filter(source_id__in=self.source_ids).values("source_id", "source_guid").distinct()
        )
        duplicates = stored - distinct.count()
        half_made = self.half_made(Post)
        add(
            Check(
                "entries stored",
                f"{stored:,}",
                f"{total:,}",
                stored == total,
                f"{self.options.feeds} feeds × {self.options.entries} entries",
            )
        )
        add(Check("duplicate entries", str(duplicates), "0", duplicates == 0))
        add(
            Check(
                "half-made posts (no body_html, excerpt or search document)",
                str(half_made),
                "0",
                half_made == 0,
                "once the queue drained"
                if not self.events[-1].endswith("reached")
                else "drain deadline reached first",
            )
        )
        unacknowledged = self.broker_redis.hlen("unacked")
        add(
            Check(
                "killed worker's work redone",
                "yes" if stored == total and half_made == 0 else "no",
                "yes",
                stored == total and half_made == 0,
                f"visibility timeout {wiring['visibility_timeout'] or 'kombu default 3600'} s; "
                f"{unacknowledged} message(s) still unacknowledged in the broker at the end",
            )
        )
        limits = (wiring["task_soft_time_limit"], wiring["task_time_limit"])
        add(
            Check(
                "Celery time limits (soft / hard, every task)",
                f"{limits[0]} / {limits[1]} s",
                "set",
                all(limits),
                "CELERY_TASK_SOFT_TIME_LIMIT / CELERY_TASK_TIME_LIMIT",
            )
        )

        self.beat_checks()
        self.replica_checks(Post)
        self.cache_checks(victim)
        self.pooling_checks()
        health = [fetch(url + "/health/")[0] for url in (self.direct("web1"), self.direct("web2"), self.base)]
        add(
            Check(
                "/health/ on gunicorn 1, 2, nginx",
                " / ".join(map(str, health)),
                "200",
                all(status == 200 for status in health),
                "" if wiring["health_url"] else "no /health/ URL on this branch",
            )
        )

    def beat_checks(self):
        periods = {name: entry["period"] for name, entry in self.wiring["schedule"].items()}
        sends = []
        for beat in self.beats:
            sends.extend(beat_sends(beat.log.read_text(errors="replace")))
        counts = runs_per_period(sends, periods, self.beats_started, self.ended)
        before = period_summary(
            {k: {b: n for b, n in v.items() if b < self.beat_killed_at} for k, v in counts.items()}
        )
        after = period_summary(counts, after=self.beat_killed_at)
        note = f"scheduler {self.wiring['beat_scheduler'].rsplit('.', 1)[-1]}; counted from both beats' logs"
        for label, (total, once, more, never) in (
            ("both beats up", before),
            ("after one beat killed", after),
        ):
            value = (
                f"{once}/{total} periods once"
                + (f", {more} twice or more" if more else "")
                + (f", {never} never" if never else "")
                if total
                else "no whole period observed"
            )
            self.checks.append(
                Check(
                    f"periodic tasks run once per period ({label})",
                    value,
                    "all once",
                    # A quick run may be too short for a whole period before the kill: not a failure.
                    None if total == 0 and self.options.quick else total > 0 and once == total,
                    note,
                )
            )

    def replica_checks(self, Post):
        lag = self.monitor
        primary_posts = Post.objects.count()
        with connect(self.ports["replica"]) as replica:
            for _ in range(20):  # the last commits may still be on their way
                replica_posts = replica.execute("SELECT count(*) FROM blog_post").fetchone()[0]
                if replica_posts == primary_posts:
                    break
                time.sleep(0.5)
        self.checks.append(
            Check(
                "replica lag during the run (max bytes / max replay_lag)",
                f"{lag.max_bytes:,} B / {lag.max_seconds * 1000:.0f} ms",
                "streaming, caught up",
                lag.streaming_samples == lag.samples > 0 and replica_posts == primary_posts,
                f"{lag.samples} samples of pg_stat_replication, {lag.streaming_samples} streaming; after the "
                f"drain the replica has {replica_posts:,} posts, the primary {primary_posts:,}",
            )
        )
        reads = {}
        for name in ("primary", "replica"):
            with connect(self.ports[name]) as database:
                reads[name] = database.execute(
                    "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements s"
                    " JOIN pg_roles r ON r.oid = s.userid"
                    " WHERE r.rolname = %s AND s.query ~* '^\\s*(select|with)'",
                    [WEB_ROLE],
                ).fetchone()[0]
        total = reads["primary"] + reads["replica"]
        routed = "replica" in self.wiring["aliases"]
        self.checks.append(
            Check(
                "share of the site's read queries served by the replica",
                share(reads["replica"], total),
                "> 50%",
                total > 0 and reads["replica"] > total / 2,
                f"{reads['replica']:,} of {total:,} SELECTs by the web role (pg_stat_statements, each server)"
                + (
                    ""
                    if routed
                    else "; no replica alias or router on this branch (DATABASE_REPLICA_URL unread)"
                ),
            )
        )

    def cache_checks(self, victim):
        info = self.cache_redis.info("stats")
        keys = self.cache_redis.dbsize()
        evicted = info.get("evicted_keys", 0)
        uses_cache_url = str(self.ports["cache"]) in self.wiring["cache_location"]
        self.checks.append(
            Check(
                "cache Redis evictions (allkeys-lru)",
                f"{evicted:,}",
                "> 0",
                evicted > 0,
                f"maxmemory {self.options.cache_memory}, {keys:,} keys at the end"
                + (
                    "" if uses_cache_url else "; CACHE_URL unread on this branch: the cache went to REDIS_URL"
                ),
            )
        )
        state_separate = str(self.ports["broker"]) in (self.wiring["state_redis_url"] or "")
        self.checks.append(
            Check(
                "state (content version, locks) apart from the evicting cache",
                "yes" if state_separate else "no",
                "yes",
                state_separate,
                "STATE_REDIS_URL, on the noeviction Redis"
                if state_separate
                else "STATE_REDIS_URL unread on this branch: state lives wherever the cache does",
            )
        )
        monitor = self.monitor
        self.checks.append(
            Check(
                "wrong pages served (title ≠ requested post)",
                str(monitor.wrong_titles),
                "0",
                monitor.wrong_titles == 0,
                f"{monitor.title_checks:,} post pages fetched through nginx and checked",
            )
        )
        window = self.shared_cache_window()
        last = monitor.victim_last_seen
        seen = {name: "never" if value is None else f"{value:.1f} s" for name, value in last.items()}
        direct_ok = all(last[name] is None or last[name] <= 1.0 for name in ("web1", "web2"))
        nginx_ok = last["nginx"] is None or last["nginx"] <= window + 2
        self.checks.append(
            Check(
                "unpublished post still served after the change (nginx / gunicorn 1 / 2)",
                f"{seen['nginx']} / {seen['web1']} / {seen['web2']}",
                f"≤ {window + 2} s / ≤ 1 s",
                direct_ok and nginx_ok and monitor.victim_checks > 0,
                f"documented shared-cache window {window} s (s-maxage + stale-while-revalidate); "
                f"{monitor.victim_checks} probes",
            )
        )

    def pooling_checks(self):
        stats = self.pgbouncer_stats()
        queries = int(stats.get("total_query_count", 0))
        self.checks.append(
            Check(
                "queries through pgbouncer (transaction pooling)",
                f"{queries:,}",
                "> 0",
                queries > 0 and self.wiring["default_port"] == str(self.ports["pgbouncer"]),
                f"{int(stats.get('total_xact_count', 0)):,} transactions",
            )
        )
        self.checks.append(
            Check(
                "DISABLE_SERVER_SIDE_CURSORS on the pooled connection",
                str(self.wiring["disable_server_side_cursors"]),
                "True",
                self.wiring["disable_server_side_cursors"],
                "transaction pooling hands each transaction any server connection: a cursor held across "
                f"transactions (QuerySet.iterator()) would be lost; the code calls .iterator() in "
                f"{iterator_calls(ROOT)} place(s)",
            )
        )


class Monitor(threading.Thread):
    """Samples replica lag, checks post pages' titles, and watches the unpublished post, once a second."""

    def __init__(self, rehearsal):
        super().__init__(daemon=True)
        self.rehearsal = rehearsal
        self.stopping = threading.Event()
        self.samples = self.streaming_samples = 0
        self.max_bytes = 0
        self.max_seconds = 0.0
        self.title_checks = self.wrong_titles = 0
        self.victim = None
        self.victim_checks = 0
        self.victim_last_seen = {"nginx": None, "web1": None, "web2": None}
        self.titles = {}

    def watch_victim(self, path, since):
        self.victim = (path, since)

    def stop(self):
        self.stopping.set()
        self.join(timeout=10)

    def run(self):
        from django.utils.html import escape

        from blog.models import Post

        rehearsal = self.rehearsal
        ids = [post_id for _, post_id in rehearsal.title_probes]
        self.titles = dict(Post.objects.filter(pk__in=ids).values_list("pk", "title"))
        index = 0
        with connect(rehearsal.ports["primary"]) as primary:
            while not self.stopping.is_set():
                self.sample_lag(primary)
                path, post_id = rehearsal.title_probes[index % len(rehearsal.title_probes)]
                index += 1
                status, _, body = fetch(rehearsal.base + path)
                if status == 200:
                    self.title_checks += 1
                    self.wrong_titles += escape(self.titles[post_id]) not in body
                if self.victim:
                    self.probe_victim()
                self.stopping.wait(0.5)

    def sample_lag(self, primary):
        row = primary.execute(
            "SELECT count(*) FILTER (WHERE state = 'streaming'),"
            " coalesce(max(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)), 0),"
            " coalesce(max(extract(epoch FROM replay_lag)), 0) FROM pg_stat_replication"
        ).fetchone()
        self.samples += 1
        self.streaming_samples += row[0] > 0
        self.max_bytes = max(self.max_bytes, int(row[1]))
        self.max_seconds = max(self.max_seconds, float(row[2]))

    def probe_victim(self):
        path, since = self.victim
        self.victim_checks += 1
        rehearsal = self.rehearsal
        for name, base in (
            ("nginx", rehearsal.base),
            ("web1", rehearsal.direct("web1")),
            ("web2", rehearsal.direct("web2")),
        ):
            status, _, _ = fetch(base + path)
            if status == 200:
                self.victim_last_seen[name] = time.monotonic() - since


# Kept under the table in docs/benchmarks.md: how each figure is obtained, so a reader can judge it.
HOW_TO_READ = [
    "How the figures are obtained: req/s, p50/p99 and errors are wrk's (mixed routes, 10 s timeout; "
    "any non-2xx counts as an error); load balancing and nginx's cache answers come from nginx's access "
    "log ($upstream_addr, $upstream_cache_status; feeds apart, as they carry their own max-age). "
    "Entries are counted by source on the primary once the queue is empty; a half-made post lacks "
    "body_html, excerpt or (if live) its search document. Periodic runs are the beats' own "
    '"Sending due task" lines, per entry and period, for periods wholly inside the run, before and '
    "after the kill. Replica lag is sampled once a second from pg_stat_replication; the replica's "
    "share counts pg_stat_statements calls of SELECTs by the web processes' own role on each server. "
    "Evictions are the cache Redis's evicted_keys. Wrong pages: post pages fetched through nginx "
    "twice a second must carry their own title. The unpublished post was fetched through nginx and "
    "each gunicorn before the change, then probed twice a second: gunicorn must stop at once (the "
    "content version), nginx within s-maxage + stale-while-revalidate.",
    "",
    "nginx is configured without `proxy_cache_use_stale updating`: with it, a removed post's page "
    "stays in nginx's cache as a stale copy for as long as no update replaces it, and its 404 (not "
    "cacheable) never does: a rehearsal with it showed the post for the rest of the run (212 s against "
    "a 90 s window). The pages' own stale-while-revalidate gives the bounded version of the same thing.",
    "",
]


def write_docs(checks, rehearsal, options):
    """Replace the cluster-check section of docs/benchmarks.md with this run's table."""
    measured = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    failed = sum(check.ok is False for check in checks)
    passed = sum(check.ok is True for check in checks)
    command = "make cluster-check" + (f" CLUSTER_ARGS='{options.argv}'" if options.argv else "")
    section = "\n".join(
        [
            SECTION_TITLE,
            "",
            f"Measured {measured} with `{command}` (`python bench/cluster_check.py`) on {os.cpu_count()} "
            f"cores, commit {commit}: PostgreSQL 15 primary + streaming replica, pgbouncer (transaction "
            f"pooling), broker Redis (noeviction) and cache Redis (allkeys-lru, {options.cache_memory}), two "
            "gunicorn instances (2 workers each) behind nginx with proxy_cache, two Celery workers and two "
            f"beats, all on loopback; {options.posts:,} generated posts, {options.feeds} feeds × "
            f"{options.entries} entries ingested during {options.seconds} s of mixed reads. "
            f"{passed} checks passed, {failed} failed; the run took {rehearsal.elapsed:.0f} s.",
            "",
            render_table(checks),
            "",
            "What happened, in order:",
            "",
            *[f"- {line.strip()}" for line in rehearsal.events],
            "",
            *HOW_TO_READ,
        ]
    )
    DOCS.write_text(replace_section(DOCS.read_text(encoding="utf-8"), section), encoding="utf-8")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="A smoke run: 15 s, 20 feeds, 300 posts.")
    parser.add_argument("--seconds", type=int, default=None, help="Length of the read load (default 60).")
    parser.add_argument("--feeds", type=int, default=None, help="Loopback feeds to ingest (default 200).")
    parser.add_argument("--entries", type=int, default=50, help="Entries per feed.")
    parser.add_argument(
        "--posts", type=int, default=None, help="Generated posts before the run (default 2000)."
    )
    parser.add_argument("--connections", type=int, default=16, help="wrk connections.")
    parser.add_argument("--cache-memory", default="4mb", help="maxmemory of the cache Redis.")
    parser.add_argument("--no-docs", action="store_true", help="Do not write docs/benchmarks.md.")
    parser.add_argument("--keep", action="store_true", help="Keep the temporary directory (logs) afterwards.")
    options = parser.parse_args(argv)
    options.argv = " ".join(argv if argv is not None else sys.argv[1:])
    options.seconds = options.seconds or (15 if options.quick else 60)
    options.feeds = options.feeds or (20 if options.quick else 200)
    options.posts = options.posts or (300 if options.quick else 2000)
    if not shutil.which("wrk"):
        raise SystemExit("cluster-check needs wrk: apt-get install wrk")
    if not shutil.which("nginx"):
        raise SystemExit("cluster-check needs nginx: apt-get install nginx")

    root = Path(tempfile.mkdtemp(prefix="inkstone-cluster-"))
    root.chmod(0o755)  # the servers run as the postgres account when we are root
    cluster = Cluster(root, service_account())
    rehearsal = Rehearsal(options, cluster)

    def interrupted(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGALRM, interrupted)
    signal.alarm(TIME_BUDGET)  # a hung step still ends the run, and the finally below cleans up
    try:
        rehearsal.run()
    finally:
        signal.alarm(0)
        cluster.stop_all()
        left = cluster.survivors()
        if options.keep:
            print(f"kept {root} (remove it when done)")
        else:
            shutil.rmtree(root, ignore_errors=True)
        print(
            f"stopped {len(cluster.processes)} processes" + (f"; still alive: {left}" if left else ""),
            flush=True,
        )
    checks = rehearsal.checks
    checks.append(
        Check("everything stopped and removed", "yes" if not left else f"no: {left}", "yes", not left)
    )
    checks.append(Check("run time", f"{rehearsal.elapsed:.0f} s", "< 600 s", rehearsal.elapsed < 600))
    checks.append(
        Check(
            "load average (1 min) at the start / the end",
            rehearsal.load_average + f" / {os.getloadavg()[0]:.1f}",
        )
    )
    print()
    print(render_table(checks))
    if not options.no_docs:
        write_docs(checks, rehearsal, options)
        print(f"\nkept in {DOCS.relative_to(ROOT)}")
    failed = [check.name for check in checks if check.ok is False]
    if failed:
        raise SystemExit(f"{len(failed)} checks failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
