"""Sign-up through a mailed link, answered the same whether or not the address has an account.

Whoever submits the sign-up form is told to check their inbox, and only the inbox learns more: a
new address gets a link that finishes the account, an address that has an account already gets
a notice saying so (with links to log in and to reset the password) and nothing is created. A
sign-up form that said "this address is taken" would let anyone test addresses for accounts,
which the password reset form is careful not to allow either.

A pending sign-up lives in Redis, keyed by a digest of its link's random token, until the link
is used or SIGN_UP_LINK_MAX_AGE passes; it holds the password already hashed. Finishing asks for
that password again, so nobody can sign up with another person's address and have that person
confirm an account whose password the signer knows. Both branches hash the password and send
one mail, so they also take about as long.
"""

import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, make_password
from django.core.cache import caches
from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.connection import ConnectionProxy

# Pending sign-ups live on the state Redis, so a mailed link works until it expires.
state = ConnectionProxy(caches, "state")


class SignUpLinkInvalid(Exception):
    """The link is unknown: mistyped, already used, or older than SIGN_UP_LINK_MAX_AGE."""


class SignUpWrongPassword(Exception):
    """The password typed to finish is not the one chosen at sign-up."""


class SignUpAddressTaken(Exception):
    """An account took the address between the sign-up and its link being used."""


@dataclass(frozen=True)
class PendingSignUp:
    """A sign-up waiting for its link: the address, the hashed password, where to go after."""

    email: str
    password_hash: str
    next_url: str


def _pending_key(token):
    digest = hashlib.blake2b(token.encode(errors="surrogatepass"), digest_size=16).hexdigest()
    return f"sign-up:pending:{digest}"


def email_in_use(email, *, except_user=None):
    """True when another account already uses `email` (compared case-insensitively)."""
    users = get_user_model()._default_manager.filter(email__iexact=email)
    if except_user is not None:
        users = users.exclude(pk=except_user.pk)
    return users.exists()


def start_sign_up(email, password, *, origin, next_url=""):
    """Mail `email` a link that finishes its account, or a notice when it has one already.

    Returns nothing, so a caller cannot tell the two apart. `origin` is the site's scheme and
    host ("https://example.com") for the links in the mail; `next_url` is where the new reader
    lands after finishing (a path on this site, already checked).
    """
    password_hash = make_password(password)
    context = {"site_name": settings.SITE_NAME, "email": email}
    if email_in_use(email):
        context.update(
            login_url=origin + reverse("accounts:login"),
            reset_url=origin + reverse("accounts:password_reset"),
        )
        _send(email, "accounts/sign_up_exists", context)
        return
    token = secrets.token_urlsafe(32)
    pending = {"email": email, "password_hash": password_hash, "next_url": next_url}
    state.set(_pending_key(token), pending, timeout=settings.SIGN_UP_LINK_MAX_AGE)
    context.update(
        finish_url=origin + reverse("accounts:sign_up_finish", kwargs={"token": token}),
        hours=max(1, settings.SIGN_UP_LINK_MAX_AGE // 3600),
    )
    _send(email, "accounts/sign_up_finish", context)


def _send(email, template, context):
    subject = "".join(render_to_string(f"{template}_subject.txt", context).splitlines())
    body = render_to_string(f"{template}_email.txt", context)
    send_mail(subject, body, None, [email])


def pending_sign_up(token):
    """Return the PendingSignUp of `token`, or raise SignUpLinkInvalid."""
    pending = state.get(_pending_key(token))
    if pending is None:
        raise SignUpLinkInvalid
    return PendingSignUp(**pending)


def finish_sign_up(token, password):
    """Create and return the account of `token`'s sign-up once `password` is the one chosen.

    Raises SignUpLinkInvalid, SignUpWrongPassword, or SignUpAddressTaken (the link is used up
    then: the mailbox's owner has an account to log in to). The username is random; readers
    never see it.
    """
    pending = pending_sign_up(token)
    if not check_password(password, pending.password_hash):
        raise SignUpWrongPassword
    user_model = get_user_model()
    with transaction.atomic():
        # Two links for one address, used at once, must not make two accounts: the address is
        # checked and taken under a lock held until the commit.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"sign-up:{pending.email.lower()}"])
        if email_in_use(pending.email):
            state.delete(_pending_key(token))
            raise SignUpAddressTaken
        for _attempt in range(3):
            try:
                with transaction.atomic():
                    user = user_model._default_manager.create(
                        username=f"reader-{secrets.token_hex(6)}",
                        email=pending.email,
                        password=pending.password_hash,
                    )
                break
            except IntegrityError:  # pragma: no cover - the random username was taken
                continue
        else:  # pragma: no cover
            raise IntegrityError("no free reader username after three tries")
    state.delete(_pending_key(token))
    return user
