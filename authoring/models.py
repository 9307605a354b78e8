"""What writing needs beyond the post itself: review requests and the keys of preview links.

Both models were born in accounts; their tables keep the names they had there (db_table), so
moving them here (migration authoring/0001) rewrote no row.
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def new_nonce():
    """Return a fresh URL-safe secret of 32 random bytes (43 characters)."""
    return secrets.token_urlsafe(32)


class PreviewKey(models.Model):
    """The nonce inside every preview link of one post: replacing it revokes all of them at once."""

    post = models.OneToOneField("blog.Post", on_delete=models.CASCADE, related_name="preview_key")
    nonce = models.CharField(max_length=64, default=new_nonce)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "accounts_previewkey"
        verbose_name = _("preview key")
        verbose_name_plural = _("preview keys")

    def __str__(self):
        return str(self.post)


class ReviewRequest(models.Model):
    """An Author's draft waiting for an Editor to publish it (where Authors may not publish)."""

    post = models.OneToOneField("blog.Post", on_delete=models.CASCADE, related_name="review_request")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    requested_at = models.DateTimeField(_("submitted"), auto_now=True)

    class Meta:
        db_table = "accounts_reviewrequest"
        verbose_name = _("review request")
        verbose_name_plural = _("review requests")

    def __str__(self):
        return str(self.post)
