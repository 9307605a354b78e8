"""What accounts keep: readers' bookmarks, follows and feed tokens, and writers' public profiles.

What writers use while writing (review requests, preview keys) lives in authoring.models.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from blog.markdown import render_markdown
from blog.page_cache import bump_content_version_on_commit


def new_token():
    """Return a fresh URL-safe secret of 32 random bytes (43 characters)."""
    return secrets.token_urlsafe(32)


def avatar_path(profile, filename):
    """Avatars live under avatars/ with a random name, so their URLs cannot be guessed or enumerated."""
    return f"avatars/{secrets.token_hex(16)}.jpg"


class AuthorProfile(models.Model):
    """How a writer presents themselves on post pages and /authors/<username>/."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="author_profile"
    )
    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    bio = models.TextField(_("bio"), blank=True, help_text=_("Markdown."))
    bio_html = models.TextField(_("rendered bio"), blank=True, editable=False)
    avatar = models.ImageField(_("avatar"), upload_to=avatar_path, blank=True)
    # One URL a line; shown as links under the bio.
    links = models.TextField(_("links"), blank=True, help_text=_("One URL a line (home page, GitHub, …)."))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("author profile")
        verbose_name_plural = _("author profiles")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # Rendered once here, like a post body, so pages never run the Markdown engine.
        self.bio_html = render_markdown(self.bio)
        super().save(*args, **kwargs)
        bump_content_version_on_commit()  # cached post and author pages show the profile

    @property
    def name(self):
        """The name to show: the display name, else the full name, else the username."""
        return self.display_name or self.user.get_full_name() or self.user.username

    @property
    def link_list(self):
        """The profile's links as a list of URLs (blank lines dropped)."""
        return [line.strip() for line in self.links.splitlines() if line.strip()]


class Bookmark(models.Model):
    """A post a reader saved to read later ("稍后阅读")."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bookmarks")
    post = models.ForeignKey("blog.Post", on_delete=models.CASCADE, related_name="bookmarks")
    created_at = models.DateTimeField(_("saved"), auto_now_add=True)

    class Meta:
        verbose_name = _("bookmark")
        verbose_name_plural = _("bookmarks")
        constraints = [models.UniqueConstraint(fields=["user", "post"], name="bookmark_unique")]

    def __str__(self):
        return f"{self.user} → {self.post}"


class Follow(models.Model):
    """A reader following exactly one tag, series, author or source.

    Four nullable foreign keys rather than a generic relation, so the personal timeline is one
    plain indexed query, and deleting a tag or series simply deletes its follows.
    """

    class Kind(models.TextChoices):
        TAG = "tag", _("tag")
        SERIES = "series", _("series")
        AUTHOR = "author", _("author")
        SOURCE = "source", _("source")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows")
    tag = models.ForeignKey("blog.Tag", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    series = models.ForeignKey(
        "blog.Series", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="followers"
    )
    source = models.ForeignKey(
        "blog.Source", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(_("followed"), auto_now_add=True)

    TARGET_FIELDS = ("tag", "series", "author", "source")

    class Meta:
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(tag__isnull=False, series__isnull=True, author__isnull=True, source__isnull=True)
                    | Q(tag__isnull=True, series__isnull=False, author__isnull=True, source__isnull=True)
                    | Q(tag__isnull=True, series__isnull=True, author__isnull=False, source__isnull=True)
                    | Q(tag__isnull=True, series__isnull=True, author__isnull=True, source__isnull=False)
                ),
                name="follow_exactly_one_target",
            ),
            *[
                models.UniqueConstraint(
                    fields=["user", field],
                    condition=Q(**{f"{field}__isnull": False}),
                    name=f"follow_unique_{field}",
                )
                for field in ("tag", "series", "author", "source")
            ],
        ]

    def __str__(self):
        # A follow being filled in (an admin form that failed validation) may point at nothing yet.
        return f"{self.user} → {self.kind}: {self.target}" if self.kind else f"{self.user} → ?"

    @property
    def kind(self):
        """Which of the four kinds of thing this follow points at (None while it points at none)."""
        return next((field for field in self.TARGET_FIELDS if getattr(self, f"{field}_id") is not None), None)

    @property
    def kind_label(self):
        """The kind, spelled for readers ("tag", "标签", …)."""
        return self.Kind(self.kind).label

    @property
    def target(self):
        """The followed tag, series, author or source."""
        return getattr(self, self.kind)


class FeedToken(models.Model):
    """The secret in a reader's private feed URL; replacing it makes the old URL stop working."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feed_token")
    token = models.CharField(max_length=64, unique=True, default=new_token)
    created_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("private feed token")
        verbose_name_plural = _("private feed tokens")

    def __str__(self):
        return str(self.user)
