"""Log lines: one per event, with time, level, logger and the request id that the response also
carries; errors reach Sentry (a Sentry-shaped HTTP server on loopback here) when SENTRY_DSN is set."""

import gzip
import io
import json
import logging
import re

import pytest

from config.log_events import RequestIdFilter
from tests.test_settings import run_manage


@pytest.fixture
def log_lines():
    """Lines written through the site's configured console handler (its filter and format)."""
    configured = next(
        h for h in logging.root.handlers if any(isinstance(f, RequestIdFilter) for f in h.filters)
    )
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(configured.formatter)
    for log_filter in configured.filters:
        handler.addFilter(log_filter)
    logging.root.addHandler(handler)
    yield lambda: stream.getvalue().splitlines()
    logging.root.removeHandler(handler)


def test_a_request_logs_under_the_id_its_proxy_gave_and_answers_with_it(client, log_lines, db):
    response = client.get("/posts/no-such-post/", HTTP_X_REQUEST_ID="lb-7f3a.42")
    assert response.status_code == 404
    assert response["X-Request-ID"] == "lb-7f3a.42"
    [line] = [line for line in log_lines() if "Not Found" in line]
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} WARNING django\.request \[lb-7f3a\.42\] Not Found: .*", line
    )


@pytest.mark.parametrize("offered", ["", "x" * 65, "fake\nWARNING forged line", "a b"])
def test_a_missing_or_odd_request_id_is_replaced_by_a_new_one(client, log_lines, db, offered):
    response = client.get("/posts/no-such-post/", HTTP_X_REQUEST_ID=offered)
    request_id = response["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    assert any(f"[{request_id}]" in line for line in log_lines())
    assert not any("forged" in line for line in log_lines())


def test_each_request_gets_its_own_id(client, db):
    assert client.get("/health/")["X-Request-ID"] != client.get("/health/")["X-Request-ID"]


def test_a_traceback_stays_on_its_events_line(log_lines):
    try:
        raise ValueError("第一行\nsecond line")
    except ValueError:
        logging.getLogger("blog.ingest").exception("Feed failed")
    [line] = log_lines()
    assert " ERROR blog.ingest [-] Feed failed\\nTraceback" in line
    assert "ValueError: 第一行\\nsecond line" in line


def test_json_lines_when_asked():
    result = run_manage(
        "shell", "--no-imports", "-c", "import logging; logging.getLogger('blog').warning('注意 %s', 42)",
        DEBUG="true", LOG_FORMAT="json",
    )  # fmt: skip
    [event] = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    assert {k: event[k] for k in ("level", "logger", "request_id", "message")} == {
        "level": "WARNING", "logger": "blog", "request_id": "-", "message": "注意 42"
    }  # fmt: skip


def test_an_unknown_log_format_is_a_clear_error():
    result = run_manage("check", DEBUG="true", LOG_FORMAT="xml")
    assert result.returncode != 0
    assert "LOG_FORMAT must be text or json" in result.stderr


def test_errors_reach_sentry_when_a_dsn_is_set(httpserver):
    httpserver.expect_request("/api/1/envelope/", method="POST").respond_with_data("{}")
    result = run_manage(
        "shell", "--no-imports", "-c",
        "import logging, sentry_sdk; logging.getLogger('blog.ingest').error('feed exploded 7d1c'); "
        "sentry_sdk.flush(timeout=10)",
        DEBUG="true", SENTRY_DSN=f"http://publickey@127.0.0.1:{httpserver.port}/1",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    bodies = []
    for request, _response in httpserver.log:
        body = request.get_data()
        if request.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        bodies.append(body.decode(errors="replace"))
    assert any("feed exploded 7d1c" in body for body in bodies), bodies


def test_no_dsn_no_reports(httpserver):
    result = run_manage(
        "shell", "--no-imports", "-c", "import logging; logging.getLogger('blog').error('quiet')",
        DEBUG="true", SENTRY_DSN="",
    )  # fmt: skip
    assert result.returncode == 0
    assert httpserver.log == []
