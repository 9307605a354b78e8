"""A locked account stays locked however its name is spelled: full-width, upper case, by its
email address or its username, on the readers' log-in or the admin's."""

import itertools
import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.factories import make_user

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-1"  # tests.factories.make_user's
LOCKED_MESSAGE = "Too many failed log-in attempts"


@pytest.fixture
def limits(settings):
    """Three failures lock an account; the per-address limit is out of the way (every attempt
    below also comes from an address of its own)."""
    settings.LOGIN_FAILURES_PER_ACCOUNT = 3
    settings.LOGIN_FAILURES_PER_IP = 100
    settings.RATE_LIMIT_WINDOW = 60
    return settings


_addresses = itertools.count(1)


def log_in(client, username, password, url_name="accounts:login"):
    return client.post(
        reverse(url_name),
        {"username": username, "password": password},
        REMOTE_ADDR="10.{}.{}.{}".format(*next(_addresses).to_bytes(3, "big")),
        HTTP_ACCEPT_LANGUAGE="en",
    )


def is_logged_in(client):
    return "_auth_user_id" in client.session


def lock(username, url_name="accounts:login"):
    for attempt in range(3):
        response = log_in(Client(), username, f"wrong-{attempt}", url_name)
        assert response.status_code == 200
        assert not response.context["form"].has_error("__all__", "rate_limited")


@pytest.mark.parametrize(
    "spelling",
    [
        "ｒｅａｄｅｒ1@example.test",  # full-width letters, as Django's NFKC turns into ASCII
        "reader1@ｅｘａｍｐｌｅ.ｔｅｓｔ",
        "READER1@EXAMPLE.TEST",
        "  reader1@example.test  ",
    ],
)
def test_another_spelling_of_a_locked_address_is_refused_even_with_the_right_password(limits, spelling):
    make_user(email="reader1@example.test")
    lock("reader1@example.test")
    client = Client()
    response = log_in(client, spelling, PASSWORD)
    assert response.status_code == 429
    assert LOCKED_MESSAGE in response.text
    assert not is_logged_in(client)


def test_wrong_guesses_through_full_width_spellings_lock_the_account(limits):
    make_user(email="reader1@example.test")
    for spelling in ("ｒｅａｄｅｒ1@example.test", "ＲＥＡＤＥＲ1@example.test", "reader１@example.test"):
        assert log_in(Client(), spelling, "a-guess").status_code == 200
    client = Client()
    response = log_in(client, "reader1@example.test", PASSWORD)
    assert response.status_code == 429
    assert LOCKED_MESSAGE in response.text
    assert not is_logged_in(client)


def test_a_full_width_spelling_logs_in_while_the_account_is_not_locked(limits):
    make_user(email="reader1@example.test")
    client = Client()
    assert log_in(client, "ｒｅａｄｅｒ1@example.test", PASSWORD).status_code == 302
    assert is_logged_in(client)


def test_the_admin_refuses_the_address_and_the_full_width_username_of_a_locked_writer(limits):
    make_user("author1", email="author1@example.test", is_staff=True, is_superuser=True)
    lock("author1", "admin:login")
    for spelling in ("author1@example.test", "ａｕｔｈｏｒ1", "author1"):
        client = Client()
        response = log_in(client, spelling, PASSWORD, "admin:login")
        assert response.context["form"].has_error("__all__", "rate_limited"), spelling
        assert LOCKED_MESSAGE in response.text
        assert not is_logged_in(client)
    # The readers' log-in shares the counter: the admin's failures lock it there too.
    response = log_in(Client(), "author1@example.test", PASSWORD)
    assert response.status_code == 429


def test_failures_on_the_readers_log_in_lock_the_admin_log_in(limits):
    make_user("author1", email="author1@example.test", is_staff=True, is_superuser=True)
    lock("ａｕｔｈｏｒ1@example.test")
    response = log_in(Client(), "author1", PASSWORD, "admin:login")
    assert response.context["form"].has_error("__all__", "rate_limited")


def test_spellings_of_a_name_with_no_account_share_one_counter(limits):
    for spelling in ("ghost@example.test", "ＧＨＯＳＴ@example.test", "Ghost@Example.Test"):
        assert log_in(Client(), spelling, "a-guess").status_code == 200
    response = log_in(Client(), "ｇｈｏｓｔ@example.test", "a-guess")
    assert response.status_code == 429


def test_another_account_is_not_locked_with_it(limits):
    make_user(email="reader1@example.test")
    make_user(email="reader2@example.test")
    lock("reader1@example.test")
    client = Client()
    assert log_in(client, "ｒｅａｄｅｒ2@example.test", PASSWORD).status_code == 302
    assert is_logged_in(client)


def test_resetting_the_password_lifts_the_lock(limits):
    make_user(email="reader1@example.test")
    lock("reader1@example.test")
    client = Client()
    client.post(reverse("accounts:password_reset"), {"email": "reader1@example.test"})
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", mail.outbox[-1].body).group(1)
    form_page = client.get(link, follow=True)
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "重置后-long-pass-3", "new_password2": "重置后-long-pass-3"},
    )
    client.post(reverse("accounts:logout"))
    assert log_in(client, "reader1@example.test", "重置后-long-pass-3").status_code == 302
    assert is_logged_in(client)
