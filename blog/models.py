"""Posts, series, tags and feed sources."""

import re
from dataclasses import asdict

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Exists, F, OuterRef, Prefetch, Q
from django.db.models.functions import Coalesce, Now
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from markdownx.models import MarkdownxField
from taggit.managers import TaggableManager
from taggit.models import TagBase, TaggedItemBase

from .document import Document
from .events import CONTENT, VISIBILITY, announce_posts_changed
from .markdown import render_document, table_of_contents
from .script_ranges import CJK_CHARACTER
from .slugs import MAX_SLUG_LENGTH, fill_unique_slug, fill_unique_slugs, pinyin_slug
from .visibility import LIVE_STATUSES, Status, is_visible, live_q, visible_q


class Series(models.Model):
    """An ordered run of posts, e.g. "DeepSeek 系列" part 1..n."""

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(
        _("slug"),
        max_length=MAX_SLUG_LENGTH,
        unique=True,
        blank=True,
        help_text=_("Leave empty to spell the title in pinyin."),
    )
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("series")
        verbose_name_plural = _("series")
        ordering = ["title"]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        fill_unique_slug(self, self.title)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("blog:series", kwargs={"slug": self.slug})


class Tag(TagBase):
    """A taggit tag whose slug spells Chinese names in pinyin, so "搜索" lives at /tags/sou-suo/."""

    # TagBase.name is unique; the slug widens to fit long pinyin spellings.
    slug = models.SlugField(_("slug"), unique=True, max_length=MAX_SLUG_LENGTH, allow_unicode=False)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def slugify(self, tag, i=None):
        base = pinyin_slug(tag) or "tag"
        return base if i is None else f"{base[: MAX_SLUG_LENGTH - 6]}-{i}"

    def get_absolute_url(self):
        return reverse("blog:tag", kwargs={"slug": self.slug})

    @classmethod
    def named(cls, names):
        """Return {name.casefold(): Tag} for `names`, creating the missing ones.

        Names match case-insensitively, as taggit does with TAGGIT_CASE_INSENSITIVE: one query
        when every tag exists, one more per new tag.
        """
        wanted = {name.casefold(): name for name in names if name}
        if not wanted:
            return {}
        lookup = Q()
        for name in wanted.values():
            lookup |= Q(name__iexact=name)
        found = {tag.name.casefold(): tag for tag in cls.objects.filter(lookup)}
        for key, name in wanted.items():
            if key not in found:
                found[key], _ = cls.objects.get_or_create(name__iexact=name, defaults={"name": name})
        return found


class TaggedPost(TaggedItemBase):
    """The through table between posts and tags."""

    content_object = models.ForeignKey("Post", on_delete=models.CASCADE)
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="tagged_posts")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["content_object", "tag"], name="tagged_post_unique")]


class SourceQuerySet(models.QuerySet):
    def due(self):
        """Active sources whose next poll time has come (never polled counts as due)."""
        return self.filter(is_active=True).filter(Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=Now()))


class Source(models.Model):
    """An outside RSS/Atom feed whose entries become posts, with its fetch state."""

    title = models.CharField(_("title"), max_length=200, blank=True)
    feed_url = models.URLField(_("feed URL"), max_length=1000, unique=True)
    site_url = models.URLField(_("site URL"), max_length=1000, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    poll_interval_minutes = models.PositiveIntegerField(
        _("poll every (minutes)"), default=60, validators=[MinValueValidator(5)]
    )
    default_tags = models.CharField(
        _("default tags"), max_length=500, blank=True, help_text=_("Comma-separated; added to every entry.")
    )
    default_series = models.ForeignKey(
        Series, verbose_name=_("default series"), null=True, blank=True, on_delete=models.SET_NULL
    )
    default_author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("default author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        help_text=_("Shown as the author of ingested posts; empty uses the “ingest” account."),
    )
    publish_immediately = models.BooleanField(
        _("publish new entries at once"),
        default=True,
        help_text=_("Off: new entries wait as drafts for an editor's review."),
    )
    etag = models.CharField(_("ETag"), max_length=500, blank=True, editable=False)
    last_modified = models.CharField(_("Last-Modified"), max_length=100, blank=True, editable=False)
    last_polled_at = models.DateTimeField(_("last polled"), null=True, blank=True, editable=False)
    last_success_at = models.DateTimeField(_("last success"), null=True, blank=True, editable=False)
    consecutive_errors = models.PositiveIntegerField(_("errors in a row"), default=0, editable=False)
    last_error = models.TextField(_("last error"), blank=True, editable=False)
    last_warning = models.TextField(_("last warning"), blank=True, editable=False)
    next_poll_at = models.DateTimeField(_("next poll"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = SourceQuerySet.as_manager()

    class Meta:
        verbose_name = _("feed source")
        verbose_name_plural = _("feed sources")
        ordering = ["title"]
        indexes = [
            models.Index(fields=["next_poll_at"], name="source_next_poll", condition=Q(is_active=True))
        ]

    def __str__(self):
        return self.title or self.feed_url


class PostQuerySet(models.QuerySet):
    """The one definition of what readers may see, plus the shapes lists need."""

    def published(self):
        """Posts readers may see now (see blog.visibility): live, with their time come."""
        return self.filter(visible_q())

    def for_listing(self):
        """Posts with everything a timeline item shows, in a fixed number of queries.

        The tags come as a plain list, `listed_tags` (read through `shown_tags`): prefetched into
        `post.tags`, taggit builds a filtered queryset for every post only to hold its result,
        a quarter of a millisecond each, 5 ms of a 20-post page.
        """
        return (
            self.select_related("author", "series", "source")
            .prefetch_related(Prefetch("tags", to_attr="listed_tags"))
            .defer("body", "body_html", "headings", "outline")
        )

    def _update_announcing(self, what, **changes):
        """Update the queryset's posts and announce them as changed; returns how many changed.

        The update keeps the queryset's own conditions, so a post that left it meanwhile is not
        changed; one that joined it meanwhile is changed but not announced, and the beat jobs
        that catch up on missed work find it (announcing a post too many costs a no-op task).
        """
        post_ids = list(self.values_list("pk", flat=True))
        changed = self.update(**changes)
        announce_posts_changed(post_ids, what)
        return changed

    def publish(self):
        """Publish every post in the queryset now, keeping a publication time already set."""
        return self._update_announcing(
            {VISIBILITY}, status=Post.Status.PUBLISHED, published_at=Coalesce(F("published_at"), Now())
        )

    def unpublish(self):
        """Turn every post in the queryset back into a draft (its publication time is kept)."""
        return self._update_announcing({VISIBILITY}, status=Post.Status.DRAFT)

    def create_rendered(self, posts, tag_names):
        """Insert new posts as save() would, in a few queries for the whole batch.

        Each post gets a unique slug, its publication time, its place in its series and its
        rendered body (see prepare_posts); `tag_names[i]` are the tag names of `posts[i]`. The
        whole batch is announced as one change. Call inside a transaction: a slug or entry taken
        meanwhile by another worker raises IntegrityError and nothing of the batch is kept.
        """
        if not posts:
            return []
        prepare_posts(posts)
        created = self.bulk_create(posts)
        tags = Tag.named(name for names in tag_names for name in names)
        TaggedPost.objects.bulk_create(
            TaggedPost(content_object=post, tag=tags[name.casefold()])
            for post, names in zip(created, tag_names, strict=True)
            for name in dict.fromkeys(name for name in names if name)
        )
        announce_posts_changed([post.pk for post in created], {CONTENT})
        return created

    def publish_due(self):
        """Flip scheduled posts whose time has come to published; returns how many changed."""
        due = self.filter(status=Post.Status.SCHEDULED, published_at__lte=Now())
        return due._update_announcing({VISIBILITY}, status=Post.Status.PUBLISHED)


class Post(models.Model):
    """A piece of writing: authored in the admin, or ingested from a feed source."""

    Status = Status

    class Language(models.TextChoices):
        CHINESE = "zh", _("Chinese")
        ENGLISH = "en", _("English")

    LIVE_STATUSES = LIVE_STATUSES
    # What render() writes, all from the body.
    RENDERED_FIELDS = ["body_html", "outline", "headings"]

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(
        _("slug"),
        max_length=MAX_SLUG_LENGTH,
        unique=True,
        blank=True,
        help_text=_(
            "Leave empty to spell the title in pinyin. After a change, the old address redirects here."
        ),
    )
    body = MarkdownxField(
        _("body"),
        blank=True,
        help_text=_(
            "Markdown with $inline$ and $$display$$ math. Environments such as \\begin{equation} are "
            "numbered: name one with \\label{name} and refer to it with \\eqref{name}."
        ),
    )
    body_html = models.TextField(_("rendered body"), blank=True, editable=False)
    # The table of contents, [{"level": 2, "id": "…", "text": "…"}, …], kept with body_html.
    headings = models.JSONField(_("headings"), default=list, blank=True, editable=False)
    # What body_html says, block by block (see blog.document): excerpts and the search index
    # are made from it, never by reading the HTML again.
    outline = models.JSONField(_("outline"), default=dict, blank=True, editable=False)
    summary = models.TextField(
        _("summary"), blank=True, help_text=_("Optional. Shown instead of the automatic excerpt.")
    )
    excerpt = models.TextField(_("excerpt"), blank=True, editable=False)
    # The same excerpt as plain text: the meta description, link previews and feed summaries.
    excerpt_text = models.TextField(_("excerpt as plain text"), blank=True, editable=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(
        _("publication time"),
        null=True,
        blank=True,
        help_text=_("Empty means “now” when published. A future time schedules the post."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="posts"
    )
    series = models.ForeignKey(
        Series,
        verbose_name=_("series"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="posts",
    )
    series_order = models.PositiveIntegerField(
        _("part"), null=True, blank=True, help_text=_("Position in the series; empty puts it last.")
    )
    tags = TaggableManager(through=TaggedPost, blank=True, verbose_name=_("tags"))
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.CHINESE
    )
    source = models.ForeignKey(
        Source,
        verbose_name=_("source"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="posts",
    )
    source_guid = models.CharField(_("entry id at the source"), max_length=1000, blank=True)
    original_url = models.URLField(_("original URL"), max_length=1000, blank=True)
    # sha256 of the title and body as last ingested: a post whose current text no longer
    # matches was edited in the admin, and a changed entry must not overwrite that edit.
    source_hash = models.CharField(_("hash of the ingested text"), max_length=64, blank=True, editable=False)

    objects = PostQuerySet.as_manager()

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["-published_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~live_q() | Q(published_at__isnull=False),
                name="post_live_has_published_at",
                violation_error_message=_("A published or scheduled post needs a publication time."),
            ),
            models.CheckConstraint(
                condition=Q(series__isnull=False) | Q(series_order__isnull=True),
                name="post_series_order_needs_series",
            ),
            # Deferred so an editor can swap two parts in one save.
            models.UniqueConstraint(
                fields=["series", "series_order"],
                name="post_unique_series_order",
                deferrable=models.Deferrable.DEFERRED,
            ),
            # Not partial, so ingestion can upsert with ON CONFLICT; authored posts have no
            # source, and NULLs never collide.
            models.UniqueConstraint(fields=["source", "source_guid"], name="post_unique_source_entry"),
        ]
        indexes = [
            # Serves the timeline and its keyset pages: WHERE status IN (...) ORDER BY
            # published_at DESC, id DESC, with (published_at, id) < cursor.
            models.Index(
                F("published_at").desc(),
                F("id").desc(),
                name="post_timeline",
                condition=live_q(),
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        prepare_posts([self])
        super().save(*args, **kwargs)
        self.keep_old_address()
        announce_posts_changed([self.pk], {CONTENT})

    def get_absolute_url(self):
        return reverse("blog:post", kwargs={"slug": self.slug})

    @classmethod
    def from_db(cls, db, field_names, values):
        post = super().from_db(db, field_names, values)
        # The slug as stored, so that save() can tell a changed address (absent when deferred).
        post._stored_slug = post.__dict__.get("slug")
        return post

    @staticmethod
    def slugs_taken_among(slugs, excluding_ids=()):
        """Which of `slugs` another post (not one of `excluding_ids`) has, or had and is reached through."""
        posts = Post.objects.filter(slug__in=slugs)
        redirects = SlugRedirect.objects.filter(old_slug__in=slugs)
        if excluding_ids:
            posts = posts.exclude(pk__in=excluding_ids)
            redirects = redirects.exclude(post_id__in=excluding_ids)
        return set(posts.values_list("slug", flat=True)) | set(redirects.values_list("old_slug", flat=True))

    def keep_old_address(self):
        """After a slug change, make the old address redirect here (and free the new one)."""
        stored = getattr(self, "_stored_slug", None)
        if stored == self.slug:
            return
        # This post lives at its new slug now: a redirect from there (its own old one, or
        # another post's) would never be reached.
        SlugRedirect.objects.filter(old_slug=self.slug).delete()
        if stored:
            SlugRedirect.objects.update_or_create(old_slug=stored, defaults={"post": self})
        self._stored_slug = self.slug

    def render(self):
        """Render the body into body_html, its outline and headings, so no page runs the Markdown engine."""
        document = render_document(self.body)
        self.body_html = document.html
        self.outline = document.outline_json()
        self.headings = [asdict(heading) for heading in table_of_contents(document)]

    @property
    def document(self):
        """The rendered body as a Document; a post stored before outlines is read from its HTML."""
        return Document.from_stored(self.body_html, self.outline)

    def fill_publication_time(self):
        """A post published without a time is published now."""
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()

    def clean(self):
        # Before the database constraint is validated, which needs the time filled in.
        self.fill_publication_time()
        if self.status == self.Status.SCHEDULED and self.published_at is None:
            raise ValidationError(
                {"published_at": _("Choose the publication time at which this post should go live.")}
            )

    @property
    def shown_tags(self):
        """The post's tags: as for_listing() fetched them with the page, else one query."""
        listed = getattr(self, "listed_tags", None)
        return listed if listed is not None else list(self.tags.all())

    @property
    def is_live(self):
        """True when readers can see this post now (see blog.visibility)."""
        return is_visible(self.status, self.published_at)

    @property
    def reading_minutes(self):
        """Minutes to read: CJK characters at 400 a minute plus Latin words at 200 a minute."""
        return reading_minutes(self.body)


def with_published_posts(queryset, post_field):
    """`queryset` narrowed to the series, tags, sources or people that readers can see a post of.

    `post_field` is the Post field pointing at them: "series", "tags", "source" or "author". A
    name shown to readers apart from its posts (a timeline filter, a reader's follows) comes only
    from these, so one with nothing published reads exactly like one that does not exist.
    """
    return queryset.filter(Exists(Post.objects.published().filter(**{post_field: OuterRef("pk")})))


class SlugRedirect(models.Model):
    """An address a post had before its slug changed: it answers with a permanent redirect."""

    old_slug = models.SlugField(_("old slug"), max_length=MAX_SLUG_LENGTH, unique=True)
    post = models.ForeignKey(
        Post, verbose_name=_("post"), on_delete=models.CASCADE, related_name="slug_redirects"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("old address")
        verbose_name_plural = _("old addresses")

    def __str__(self):
        return f"{self.old_slug} → {self.post_id}"


def prepare_posts(posts):
    """Fill in what every write of posts derives, for save() and the batch insert alike.

    A unique slug spelled from the title where there is none, the publication time of a post
    published without one, a place at the end of its series, and the rendered body.
    """
    saved_ids = [post.pk for post in posts if post.pk is not None]
    titles = [post.title for post in posts]
    fill_unique_slugs(posts, titles, lambda slugs: Post.slugs_taken_among(slugs, excluding_ids=saved_ids))
    for post in posts:
        post.fill_publication_time()
    fill_series_orders(posts)
    for post in posts:
        post.render()


def fill_series_orders(posts):
    """Put each post in a series without a part number last in its series (in list order)."""
    last_parts = {}
    for post in posts:
        if post.series_id is None:
            post.series_order = None
        elif post.series_order is None:
            if post.series_id not in last_parts:
                last_parts[post.series_id] = (
                    Post.objects.filter(series_id=post.series_id)
                    .exclude(pk=post.pk)
                    .aggregate(models.Max("series_order"))["series_order__max"]
                    or 0
                )
            last_parts[post.series_id] += 1
            post.series_order = last_parts[post.series_id]


LATIN_WORD = re.compile(r"[A-Za-z0-9]+(?:['’.-][A-Za-z0-9]+)*")


def reading_minutes(text):
    """Return whole minutes (at least 1) to read `text`: 400 CJK characters or 200 words a minute."""
    cjk = len(CJK_CHARACTER.findall(text or ""))
    words = len(LATIN_WORD.findall(text or ""))
    return max(1, round(cjk / 400 + words / 200))
