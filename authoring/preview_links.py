"""Signed, expiring links that show one draft to someone without an account.

A link carries the post's id and its PreviewKey nonce, signed with a timestamp. It works while
the signature is younger than PREVIEW_LINK_MAX_AGE and the nonce is still the post's current
one: revoking replaces the nonce, which kills every link handed out so far in one write.
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse

from .models import PreviewKey, new_nonce

SALT = "inkstone.preview-link"


class PreviewLinkInvalid(Exception):
    """The link was forged, has expired or was revoked."""


def preview_path(post, user=None):
    """Return a new preview path for `post`, creating its preview key on first use."""
    key, _created = PreviewKey.objects.get_or_create(post=post, defaults={"created_by": user})
    token = signing.TimestampSigner(salt=SALT).sign(f"{post.pk}:{key.nonce}")
    return reverse("authoring:preview", kwargs={"token": token})


def revoke_preview_links(post, user=None):
    """Make every preview link of `post` handed out so far stop working."""
    PreviewKey.objects.update_or_create(post=post, defaults={"nonce": new_nonce(), "created_by": user})


def post_id_for_preview(token):
    """Return the id of the post that `token` may preview, or raise PreviewLinkInvalid."""
    try:
        value = signing.TimestampSigner(salt=SALT).unsign(token, max_age=settings.PREVIEW_LINK_MAX_AGE)
        post_id, nonce = value.split(":", 1)
    except (signing.BadSignature, ValueError):
        raise PreviewLinkInvalid from None
    if not PreviewKey.objects.filter(post_id=post_id, nonce=nonce).exists():
        raise PreviewLinkInvalid
    return int(post_id)
