"""Behind a CDN and a load balancer each reader keeps a counter of their own, and nobody gets a
fresh one by sending a made-up X-Forwarded-For."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
LOAD_BALANCER = "10.0.0.2"  # what REMOTE_ADDR is behind it
CDN_EDGE = "203.0.113.250"  # the last X-Forwarded-For entry, the same for every reader


@pytest.fixture
def limits(settings):
    settings.LOGIN_FAILURES_PER_IP = 3
    settings.LOGIN_FAILURES_PER_ACCOUNT = 100
    settings.RATE_LIMIT_WINDOW = 60
    return settings


def fail_log_in(forwarded_for=None, remote_addr=LOAD_BALANCER, name="nobody@example.test"):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded_for} if forwarded_for is not None else {}
    return Client().post(
        reverse("accounts:login"),
        {"username": name, "password": "a-guess"},
        REMOTE_ADDR=remote_addr,
        **headers,
    )


def test_readers_behind_the_same_cdn_edge_have_counters_of_their_own(limits):
    limits.TRUSTED_PROXY_COUNT = 2
    for _ in range(3):
        assert fail_log_in(f"198.51.100.1, {CDN_EDGE}").status_code == 200
    assert fail_log_in(f"198.51.100.1, {CDN_EDGE}").status_code == 429
    assert fail_log_in(f"198.51.100.2, {CDN_EDGE}").status_code == 200


def test_a_made_up_forwarded_for_entry_gives_no_fresh_counter(limits):
    limits.TRUSTED_PROXY_COUNT = 2
    for _ in range(3):
        fail_log_in(f"198.51.100.1, {CDN_EDGE}")
    for made_up in ("192.0.2.77", "192.0.2.78, 192.0.2.79", "unknown"):
        assert fail_log_in(f"{made_up}, 198.51.100.1, {CDN_EDGE}").status_code == 429


def test_with_no_trusted_proxy_the_header_is_ignored(limits):
    limits.TRUSTED_PROXY_COUNT = 0
    for number in range(3):
        fail_log_in(f"192.0.2.{number}", remote_addr="198.51.100.9")
    assert fail_log_in("192.0.2.200", remote_addr="198.51.100.9").status_code == 429
    assert fail_log_in(remote_addr="198.51.100.10").status_code == 200


def test_a_request_that_skipped_the_cdn_is_counted_by_what_the_load_balancer_saw(limits):
    limits.TRUSTED_PROXY_COUNT = 2
    for _ in range(3):
        fail_log_in("198.51.100.5")  # straight to the load balancer, which appended the client
    assert fail_log_in("198.51.100.5").status_code == 429
    assert fail_log_in("198.51.100.6").status_code == 200


def test_addresses_in_one_ipv6_slash_64_share_a_counter(limits):
    limits.TRUSTED_PROXY_COUNT = 0
    for host in range(1, 4):
        fail_log_in(remote_addr=f"2001:db8:1:2::{host}")
    assert fail_log_in(remote_addr="2001:db8:1:2:ffff::9").status_code == 429
    assert fail_log_in(remote_addr="2001:db8:1:3::1").status_code == 200


def trusted_proxy_count(**environment):
    env = {k: v for k, v in os.environ.items() if k not in {"BEHIND_TLS_PROXY", "TRUSTED_PROXY_COUNT"}}
    env.update(DEBUG="true", **environment)
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c",
         "from django.conf import settings; print(settings.TRUSTED_PROXY_COUNT)"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_the_setting_defaults_to_the_connection_or_to_one_tls_proxy_and_refuses_nonsense():
    assert trusted_proxy_count().stdout.strip() == "0"
    assert trusted_proxy_count(BEHIND_TLS_PROXY="true").stdout.strip() == "1"
    assert trusted_proxy_count(BEHIND_TLS_PROXY="true", TRUSTED_PROXY_COUNT="2").stdout.strip() == "2"
    refused = trusted_proxy_count(TRUSTED_PROXY_COUNT="-1")
    assert refused.returncode != 0
    assert "TRUSTED_PROXY_COUNT must be 0 or more" in refused.stderr
