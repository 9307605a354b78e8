"""Password guessing and reset-mail flooding stop after the configured number of tries."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def limits(settings):
    settings.LOGIN_FAILURES_PER_ACCOUNT = 3
    settings.LOGIN_FAILURES_PER_IP = 5
    settings.PASSWORD_RESETS_PER_EMAIL = 2
    settings.PASSWORD_RESETS_PER_IP = 4
    settings.RATE_LIMIT_WINDOW = 60
    return settings


def log_in(client, username, password, ip="203.0.113.7"):
    return client.post(
        reverse("accounts:login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_an_account_is_locked_after_the_configured_failures_even_for_the_right_password(limits):
    make_user(email="victim@example.com")
    client = Client()
    for attempt in range(3):
        response = log_in(client, "victim@example.com", f"guess-{attempt}", ip=f"198.51.100.{attempt}")
        assert response.status_code == 200  # a plain wrong password
    response = log_in(client, "victim@example.com", "pw-for-tests-1", ip="198.51.100.99")
    assert response.status_code == 429
    assert response.context["form"].has_error("__all__", "rate_limited")
    assert "_auth_user_id" not in client.session
    # Another account from the same addresses is unaffected.
    make_user(email="bystander@example.com")
    assert log_in(client, "bystander@example.com", "pw-for-tests-1", ip="198.51.100.0").status_code == 302


def test_one_address_trying_many_accounts_is_stopped(limits):
    client = Client()
    for number in range(5):
        assert log_in(client, f"user{number}@example.com", "guess").status_code == 200
    make_user(email="real@example.com")
    response = log_in(client, "real@example.com", "pw-for-tests-1")
    assert response.status_code == 429
    assert log_in(Client(), "real@example.com", "pw-for-tests-1", ip="192.0.2.1").status_code == 302


def test_the_admin_login_counts_failures_too(limits):
    make_user("staffer", is_staff=True, is_superuser=True)
    client = Client()
    for _ in range(3):
        client.post(
            reverse("admin:login"), {"username": "staffer", "password": "nope"}, REMOTE_ADDR="192.0.2.9"
        )
    response = client.post(
        reverse("admin:login"),
        {"username": "staffer", "password": "pw-for-tests-1"},
        REMOTE_ADDR="192.0.2.10",
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_password_reset_requests_are_limited_per_address_and_per_ip(limits):
    make_user(email="forgot@example.com")
    client = Client()
    for _ in range(2):
        response = client.post(reverse("accounts:password_reset"), {"email": "forgot@example.com"})
        assert response.status_code == 302
    response = client.post(reverse("accounts:password_reset"), {"email": "forgot@example.com"})
    assert response.status_code == 429
    assert len(mail.outbox) == 2
    for number in range(2):
        client.post(reverse("accounts:password_reset"), {"email": f"other{number}@example.com"})
    response = client.post(reverse("accounts:password_reset"), {"email": "fresh@example.com"})
    assert response.status_code == 429
