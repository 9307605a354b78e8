"""A fetch ends by its deadline however slowly the server sends: body, headers, or over TLS."""

import json
import os
import ssl
import subprocess
import sys
import time
from pathlib import Path

import pytest

from blog.ingest.fetch import FetchError, fetch
from blog.ingest.poll import poll_source
from blog.models import Source
from tests.blog.feed_samples import entries, rss
from tests.blog.loopback_servers import loopback_server, respond, send_slowly

FEED = rss(entries(2)).encode()
LIMIT = 3  # INGEST_TOTAL_TIMEOUT in these tests, in seconds


@pytest.fixture(autouse=True)
def short_deadline(settings):
    settings.INGEST_ALLOW_PRIVATE = True
    settings.INGEST_TOTAL_TIMEOUT = LIMIT


def trickle_body(handler):
    """Headers at once, then the body at one byte a second (it would take a day)."""
    handler.wfile.write(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: 100000\r\n\r\n"
    )
    handler.wfile.flush()
    send_slowly(handler, FEED, every=1.0, at_most=15)


def trickle_headers(handler):
    """The status line and headers themselves at two bytes a second."""
    send_slowly(
        handler, b"HTTP/1.1 200 OK\r\n" + b"X-Padding: " + b"p" * 200 + b"\r\n\r\n", every=0.5, at_most=15
    )


@pytest.mark.parametrize("answer", [trickle_body, trickle_headers], ids=["body", "headers"])
def test_a_trickling_server_is_given_up_on_at_the_deadline(answer):
    with loopback_server(answer) as server:
        started = time.monotonic()
        with pytest.raises(FetchError, match=r"gave up after 3 s \(INGEST_TOTAL_TIMEOUT\)"):
            fetch(server.url("/feed.xml"))
        elapsed = time.monotonic() - started
    assert LIMIT - 0.5 < elapsed < LIMIT + 1


def test_the_deadline_covers_redirects_too():
    """Each hop answers promptly enough on its own; together they run out of time."""

    def slow_hops(handler):
        hop = int(handler.path.strip("/") or 0)
        time.sleep(1.2)
        respond(handler, 302, b"moved", [("Location", f"/{hop + 1}")])

    with loopback_server(slow_hops) as server:
        started = time.monotonic()
        with pytest.raises(FetchError, match="gave up after 3 s"):
            fetch(server.url("/0"))
        assert time.monotonic() - started < LIMIT + 1
        assert len(server.seen) == 3  # the third hop's answer comes after the deadline


@pytest.mark.django_db
def test_a_trickling_feed_is_a_recorded_error_with_back_off():
    with loopback_server(trickle_body) as server:
        source = Source.objects.create(feed_url=server.url("/feed.xml"), poll_interval_minutes=30)
        assert poll_source(source.pk).status == "failed"
    source.refresh_from_db()
    assert "gave up after 3 s" in source.last_error and source.consecutive_errors == 1
    assert (source.next_poll_at - source.last_polled_at).total_seconds() == 60 * 60


# Over TLS the fetch runs in a child process that trusts a certificate made for the test
# (SSL_CERT_FILE is read when the fetcher's TLS context loads the system's certificates).
FETCH_IN_CHILD = """
import json, sys, time
import django
django.setup()
from blog.ingest.fetch import FetchError, fetch
outcomes = []
for url in sys.argv[1:]:
    started = time.monotonic()
    try:
        result = fetch(url)
        outcomes.append({"body": result.body.decode(), "seconds": time.monotonic() - started})
    except FetchError as error:
        outcomes.append({"error": str(error), "seconds": time.monotonic() - started})
print(json.dumps(outcomes))
"""


def make_certificate(directory, name):
    """A self-signed certificate for localhost and its key, written by openssl."""
    cert, key = directory / f"{name}.pem", directory / f"{name}.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost", "-keyout", key, "-out", cert],
        check=True, capture_output=True,
    )  # fmt: skip
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return cert, context


def test_over_tls_a_trickle_is_given_up_on_and_certificates_are_still_checked(tmp_path):
    trusted_cert, trusted = make_certificate(tmp_path, "trusted")
    _, untrusted = make_certificate(tmp_path, "untrusted")

    def answer(handler):
        if handler.path == "/slow.xml":
            trickle_body(handler)
        else:
            respond(handler, 200, FEED, [("Content-Type", "application/rss+xml")])

    environment = {
        **os.environ,
        "SSL_CERT_FILE": str(trusted_cert),
        "INGEST_ALLOW_PRIVATE": "true",
        "INGEST_TOTAL_TIMEOUT": str(LIMIT),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "true",
    }
    with (
        loopback_server(answer, tls_context=trusted) as good,
        loopback_server(answer, tls_context=untrusted) as bad,
    ):
        urls = [good.url("/feed.xml"), good.url("/slow.xml"), bad.url("/feed.xml")]
        child = subprocess.run(
            [sys.executable, "-c", FETCH_IN_CHILD, *urls],
            env=environment,
            cwd=Path(__file__).resolve().parents[2],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert child.returncode == 0, child.stderr
    whole, slow, forged = json.loads(child.stdout)
    assert whole["body"] == FEED.decode()
    assert "gave up after 3 s" in slow["error"] and LIMIT - 0.5 < slow["seconds"] < LIMIT + 1
    assert "CERTIFICATE_VERIFY_FAILED" in forged["error"]
