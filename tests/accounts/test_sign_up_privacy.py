"""Sign-up tells nobody but the mailbox whether an address has an account, finishes only with
the mailed link and the password chosen, and is rate limited."""

import itertools
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.factories import make_user

pytestmark = pytest.mark.django_db

PASSWORD = "长城-correct-horse-9"
_addresses = itertools.count(1)


def sign_up(client, email, password=PASSWORD, ip=None, follow=False, **fields):
    ip = ip or "10.{}.{}.{}".format(*next(_addresses).to_bytes(3, "big"))
    return client.post(
        reverse("accounts:sign_up"),
        {"email": email, "password1": password, "password2": password, **fields},
        follow=follow,
        REMOTE_ADDR=ip,
        HTTP_ACCEPT_LANGUAGE="en",
    )


def finish_link(message):
    return re.search(r"https?://[^/\s]+(/accounts/sign-up/finish/\S+/)", message.body).group(1)


def page_text(response, email):
    """The page with the address typed and the per-browser CSRF token blanked out."""
    text = response.text.replace(email, "ADDRESS")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", text)


def accounts_with(email):
    return get_user_model().objects.filter(email__iexact=email).count()


def test_an_existing_and_a_new_address_get_the_same_answer(client):
    make_user(email="taken@example.com")
    answers = [sign_up(Client(), email, follow=True) for email in ("taken@example.com", "fresh@example.com")]
    existing, new = answers
    assert existing.redirect_chain == new.redirect_chain == [(reverse("accounts:sign_up_sent"), 302)]
    assert existing.status_code == new.status_code == 200
    assert [t.name for t in existing.templates] == [t.name for t in new.templates]
    assert existing.content == new.content
    assert "Check your inbox" in new.text
    # No account yet for the new address, still one for the existing one.
    assert accounts_with("fresh@example.com") == 0
    assert accounts_with("taken@example.com") == 1


def test_the_owner_of_an_existing_address_gets_a_notice_and_no_account_is_made():
    make_user(email="taken@example.com")
    sign_up(Client(), "Taken@Example.com")
    assert len(mail.outbox) == 1
    notice = mail.outbox[0]
    assert notice.to == ["Taken@example.com"]
    assert "has an account already" in notice.body
    assert "/accounts/login/" in notice.body
    assert "/accounts/password-reset/" in notice.body
    assert "/sign-up/finish/" not in notice.body
    assert accounts_with("taken@example.com") == 1


def test_a_full_width_spelling_of_an_existing_address_is_treated_as_that_address():
    make_user(email="taken@example.com")
    sign_up(Client(), "taken@ｅｘａｍｐｌｅ.com")
    assert "has an account already" in mail.outbox[0].body
    assert mail.outbox[0].to == ["taken@example.com"]


@pytest.mark.parametrize("password", ["123", "password", "12345678"])
def test_a_weak_password_gets_the_same_error_for_an_existing_and_a_new_address(password):
    make_user(email="taken@example.com")
    existing = sign_up(Client(), "taken@example.com", password=password)
    new = sign_up(Client(), "fresh@example.com", password=password)
    assert existing.status_code == new.status_code == 200
    assert existing.context["form"].errors == new.context["form"].errors
    assert existing.context["form"].has_error("password1")
    assert "already" not in existing.text
    assert page_text(existing, "taken@example.com") == page_text(new, "fresh@example.com")
    assert mail.outbox == []


def test_the_mailed_link_and_the_password_create_the_account_and_log_it_in():
    client = Client()
    sign_up(client, "Fresh@Example.com", next="/tags/")
    link = finish_link(mail.outbox[0])
    page = client.get(link, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert "Fresh@example.com" in page.text
    response = client.post(link, {"password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/tags/"
    reader = get_user_model().objects.get(email="Fresh@example.com")
    assert reader.check_password(PASSWORD)
    assert client.session["_auth_user_id"] == str(reader.pk)
    # The link is used up.
    assert client.get(link).status_code == 404
    assert client.post(link, {"password": PASSWORD}).status_code == 404
    assert accounts_with("fresh@example.com") == 1


def test_someone_who_does_not_know_the_chosen_password_cannot_finish():
    """The owner of an address someone else signed up with must not end up in an account whose
    password the other person knows."""
    sign_up(Client(), "victim@example.com", password="attacker-knows-this-1")
    link = finish_link(mail.outbox[0])
    victim = Client()
    response = victim.post(link, {"password": PASSWORD}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "That is not the password chosen when signing up" in response.text
    assert accounts_with("victim@example.com") == 0
    assert "_auth_user_id" not in victim.session


def test_a_second_link_for_an_address_taken_meanwhile_makes_no_second_account():
    sign_up(Client(), "twice@example.com")
    sign_up(Client(), "twice@example.com")
    first, second = (finish_link(message) for message in mail.outbox)
    assert Client().post(first, {"password": PASSWORD}).status_code == 302
    late = Client()
    response = late.post(second, {"password": PASSWORD}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409
    assert "already exists. Log in, or reset its password" in response.text
    assert "_auth_user_id" not in late.session
    assert accounts_with("twice@example.com") == 1


def test_an_unknown_link_says_what_to_do(client):
    response = client.get("/accounts/sign-up/finish/not-a-real-token/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert "expired or has been used already" in response.text


def test_sign_up_is_limited_per_client_address(settings):
    settings.SIGN_UPS_PER_IP = 3
    make_user(email="taken@example.com")
    attempts = ["taken@example.com", "new1@example.com", "taken@example.com"]
    for email in attempts:
        assert sign_up(Client(), email, password="123", ip="198.51.100.4").status_code == 200
    for email in ("taken@example.com", "new2@example.com"):
        refused = sign_up(Client(), email, ip="198.51.100.4")
        assert refused.status_code == 429
        assert "Too many sign-up attempts" in refused.text
    assert mail.outbox == []
    assert sign_up(Client(), "new2@example.com", ip="198.51.100.5").status_code == 302


def test_one_address_gets_few_mails_however_many_networks_ask(settings):
    settings.SIGN_UPS_PER_EMAIL = 2
    make_user(email="taken@example.com")
    for email in ("taken@example.com", "fresh@example.com"):
        answers = [sign_up(Client(), email).status_code for _ in range(3)]
        assert answers == [302, 302, 429]
    assert len(mail.outbox) == 4
