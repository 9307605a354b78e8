"""Settings from the environment: production hardening and clear errors for bad values."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args, **environment):
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "SECURE_SSL_REDIRECT"}}
    env.update(environment)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_production_settings_pass_the_deploy_checklist():
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING",
        DEBUG="false", SECRET_KEY="k" * 20 + "-production-like-secret-value-0123456789abcdefXYZ",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_missing_secret_key_in_production_is_a_clear_error():
    result = run_manage("check", DEBUG="false", SECRET_KEY="")
    assert result.returncode != 0
    assert "Set SECRET_KEY in the environment" in result.stderr


def test_non_boolean_debug_is_a_clear_error():
    result = run_manage("check", DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr


def test_time_zone_and_language_default_to_china_and_are_configurable(settings):
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"
    result = run_manage(
        "shell", "--no-imports", "-c", "from django.conf import settings; print(settings.TIME_ZONE)",
        DEBUG="true", TIME_ZONE="Europe/Berlin",
    )  # fmt: skip
    assert result.stdout.strip() == "Europe/Berlin"


def test_behind_a_transaction_pooler_server_side_cursors_are_off(settings):
    assert settings.DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] is False
    script = (
        "from django.db import connection; print(connection.settings_dict['DISABLE_SERVER_SIDE_CURSORS'])"
    )
    result = run_manage(
        "shell", "--no-imports", "-c", script, DEBUG="true", DATABASE_TRANSACTION_POOLING="true"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"
