"""A database of a bench's own, on the same server as DATABASE_URL, migrated and ready."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent


def bench_database_url(suffix, fresh=True):
    """Point DATABASE_URL at `<database>_<suffix>` (created, emptied if `fresh`, migrated).

    Call before django.setup(). Returns the new URL; child processes inherit it.
    """
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/inkstone")
    parts = urlsplit(base)
    name = f"{parts.path.lstrip('/') or 'inkstone'}_{suffix}"
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(_libpq(admin_url), autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and fresh:
            connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        if not exists or fresh:
            connection.execute(f'CREATE DATABASE "{name}"')
    url = urlunsplit(parts._replace(path=f"/{name}"))
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DEBUG", "true")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        check=True,
        env={**os.environ, "DATABASE_URL": url},
    )
    return url


def _libpq(url):
    # dj-database-url style "postgres://" works for libpq too; a socket path host is %-encoded.
    return url.replace("postgres://", "postgresql://", 1)
