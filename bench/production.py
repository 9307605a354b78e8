"""Production-like settings for benchmarks: DEBUG off, hashed static files, no HTTPS redirect."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def production_like_environment():
    """Set the environment a production process would have (call before django.setup())."""
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 50)
    os.environ["SECURE_SSL_REDIRECT"] = "false"  # the bench speaks plain HTTP on loopback
    os.environ["SESSION_COOKIE_SECURE"] = "false"
    os.environ["CSRF_COOKIE_SECURE"] = "false"
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
    os.environ.setdefault("STATIC_ROOT", str(ROOT / "var" / "bench" / "static"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, check=True
    )
