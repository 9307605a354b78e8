"""The blog's tables as migrations 0001–0008 left them, in one step.

Squashed by hand from a fresh `makemigrations` of today's models, with each table's columns in
the order the old chain gave them (added columns last), so that a fresh database and one
migrated through 0001–0008 are the same schema (tests/test_migrations.py compares them). The
blog needs no SQL of its own: the triggers on blog_post belong to search (search 0011).

A database that has applied every migration listed in `replaces` counts this one as applied.
The replaced files stay until every database has moved past them (Django falls back to them
for a database that applied only some); then they, and `replaces`, can go.
"""

import django.core.validators
import django.db.models.constraints
import django.db.models.deletion
import markdownx.models
import taggit.managers
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    replaces = [
        ("blog", "0001_initial"),
        ("blog", "0002_post_headings"),
        ("blog", "0003_feed_sources"),
        ("blog", "0004_post_not_live"),
        ("blog", "0004_post_slug_redirects"),
        ("blog", "0005_post_body_help"),
        ("blog", "0006_merge_0004_post_not_live_0005_post_body_help"),
        ("blog", "0007_remove_post_not_live"),
        ("blog", "0008_post_outline_and_plain_excerpt"),
    ]

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Series",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("title", models.CharField(max_length=200, verbose_name="title")),
                (
                    "slug",
                    models.SlugField(
                        blank=True,
                        help_text="Leave empty to spell the title in pinyin.",
                        max_length=80,
                        unique=True,
                        verbose_name="slug",
                    ),
                ),
                ("description", models.TextField(blank=True, verbose_name="description")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated")),
            ],
            options={
                "verbose_name": "series",
                "verbose_name_plural": "series",
                "ordering": ["title"],
            },
        ),
        migrations.CreateModel(
            name="Tag",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=100, unique=True, verbose_name="name")),
                ("slug", models.SlugField(max_length=80, unique=True, verbose_name="slug")),
            ],
            options={
                "verbose_name": "tag",
                "verbose_name_plural": "tags",
                "ordering": ["name"],
            },
        ),
        migrations.CreateModel(
            name="Source",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("title", models.CharField(blank=True, max_length=200, verbose_name="title")),
                ("feed_url", models.URLField(max_length=1000, unique=True, verbose_name="feed URL")),
                ("site_url", models.URLField(blank=True, max_length=1000, verbose_name="site URL")),
                ("is_active", models.BooleanField(default=True, verbose_name="active")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                (
                    "consecutive_errors",
                    models.PositiveIntegerField(default=0, editable=False, verbose_name="errors in a row"),
                ),
                (
                    "default_author",
                    models.ForeignKey(
                        blank=True,
                        help_text="Shown as the author of ingested posts; empty uses the “ingest” account.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="default author",
                    ),
                ),
                (
                    "default_series",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        to="blog.series",
                        verbose_name="default series",
                    ),
                ),
                (
                    "default_tags",
                    models.CharField(
                        blank=True,
                        help_text="Comma-separated; added to every entry.",
                        max_length=500,
                        verbose_name="default tags",
                    ),
                ),
                ("etag", models.CharField(blank=True, editable=False, max_length=500, verbose_name="ETag")),
                ("last_error", models.TextField(blank=True, editable=False, verbose_name="last error")),
                (
                    "last_modified",
                    models.CharField(
                        blank=True, editable=False, max_length=100, verbose_name="Last-Modified"
                    ),
                ),
                (
                    "last_polled_at",
                    models.DateTimeField(blank=True, editable=False, null=True, verbose_name="last polled"),
                ),
                (
                    "last_success_at",
                    models.DateTimeField(blank=True, editable=False, null=True, verbose_name="last success"),
                ),
                ("last_warning", models.TextField(blank=True, editable=False, verbose_name="last warning")),
                (
                    "next_poll_at",
                    models.DateTimeField(blank=True, editable=False, null=True, verbose_name="next poll"),
                ),
                (
                    "poll_interval_minutes",
                    models.PositiveIntegerField(
                        default=60,
                        validators=[django.core.validators.MinValueValidator(5)],
                        verbose_name="poll every (minutes)",
                    ),
                ),
                (
                    "publish_immediately",
                    models.BooleanField(
                        default=True,
                        help_text="Off: new entries wait as drafts for an editor's review.",
                        verbose_name="publish new entries at once",
                    ),
                ),
            ],
            options={
                "verbose_name": "feed source",
                "verbose_name_plural": "feed sources",
                "ordering": ["title"],
            },
        ),
        migrations.CreateModel(
            name="Post",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("title", models.CharField(max_length=200, verbose_name="title")),
                (
                    "slug",
                    models.SlugField(
                        blank=True,
                        help_text="Leave empty to spell the title in pinyin. After a change, the old address redirects here.",
                        max_length=80,
                        unique=True,
                        verbose_name="slug",
                    ),
                ),
                (
                    "body",
                    markdownx.models.MarkdownxField(
                        blank=True,
                        help_text="Markdown with $inline$ and $$display$$ math. Environments such as \\begin{equation} are numbered: name one with \\label{name} and refer to it with \\eqref{name}.",
                        verbose_name="body",
                    ),
                ),
                ("body_html", models.TextField(blank=True, editable=False, verbose_name="rendered body")),
                (
                    "summary",
                    models.TextField(
                        blank=True,
                        help_text="Optional. Shown instead of the automatic excerpt.",
                        verbose_name="summary",
                    ),
                ),
                ("excerpt", models.TextField(blank=True, editable=False, verbose_name="excerpt")),
                (
                    "status",
                    models.CharField(
                        choices=[("draft", "Draft"), ("scheduled", "Scheduled"), ("published", "Published")],
                        default="draft",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                (
                    "published_at",
                    models.DateTimeField(
                        blank=True,
                        help_text="Empty means “now” when published. A future time schedules the post.",
                        null=True,
                        verbose_name="publication time",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated")),
                (
                    "series_order",
                    models.PositiveIntegerField(
                        blank=True,
                        help_text="Position in the series; empty puts it last.",
                        null=True,
                        verbose_name="part",
                    ),
                ),
                (
                    "language",
                    models.CharField(
                        choices=[("zh", "Chinese"), ("en", "English")],
                        default="zh",
                        max_length=2,
                        verbose_name="language",
                    ),
                ),
                (
                    "source_guid",
                    models.CharField(blank=True, max_length=1000, verbose_name="entry id at the source"),
                ),
                ("original_url", models.URLField(blank=True, max_length=1000, verbose_name="original URL")),
                (
                    "author",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="posts",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="author",
                    ),
                ),
                (
                    "series",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="posts",
                        to="blog.series",
                        verbose_name="series",
                    ),
                ),
                (
                    "source",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="posts",
                        to="blog.source",
                        verbose_name="source",
                    ),
                ),
                (
                    "headings",
                    models.JSONField(blank=True, default=list, editable=False, verbose_name="headings"),
                ),
                (
                    "source_hash",
                    models.CharField(
                        blank=True, editable=False, max_length=64, verbose_name="hash of the ingested text"
                    ),
                ),
                (
                    "excerpt_text",
                    models.TextField(blank=True, editable=False, verbose_name="excerpt as plain text"),
                ),
                (
                    "outline",
                    models.JSONField(blank=True, default=dict, editable=False, verbose_name="outline"),
                ),
            ],
            options={
                "verbose_name": "post",
                "verbose_name_plural": "posts",
                "ordering": ["-published_at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="SlugRedirect",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("old_slug", models.SlugField(max_length=80, unique=True, verbose_name="old slug")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                (
                    "post",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="slug_redirects",
                        to="blog.post",
                        verbose_name="post",
                    ),
                ),
            ],
            options={
                "verbose_name": "old address",
                "verbose_name_plural": "old addresses",
            },
        ),
        migrations.CreateModel(
            name="TaggedPost",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "content_object",
                    models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to="blog.post"),
                ),
                (
                    "tag",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="tagged_posts",
                        to="blog.tag",
                    ),
                ),
            ],
        ),
        migrations.AddField(
            model_name="post",
            name="tags",
            field=taggit.managers.TaggableManager(
                blank=True,
                help_text="A comma-separated list of tags.",
                through="blog.TaggedPost",
                to="blog.Tag",
                verbose_name="tags",
            ),
        ),
        migrations.AddIndex(
            model_name="source",
            index=models.Index(
                condition=models.Q(("is_active", True)), fields=["next_poll_at"], name="source_next_poll"
            ),
        ),
        migrations.AddConstraint(
            model_name="taggedpost",
            constraint=models.UniqueConstraint(fields=("content_object", "tag"), name="tagged_post_unique"),
        ),
        migrations.AddIndex(
            model_name="post",
            index=models.Index(
                models.OrderBy(models.F("published_at"), descending=True),
                models.OrderBy(models.F("id"), descending=True),
                condition=models.Q(("status__in", ["published", "scheduled"])),
                name="post_timeline",
            ),
        ),
        migrations.AddConstraint(
            model_name="post",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status__in", ["published", "scheduled"]), _negated=True),
                    ("published_at__isnull", False),
                    _connector="OR",
                ),
                name="post_live_has_published_at",
                violation_error_message="A published or scheduled post needs a publication time.",
            ),
        ),
        migrations.AddConstraint(
            model_name="post",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("series__isnull", False), ("series_order__isnull", True), _connector="OR"
                ),
                name="post_series_order_needs_series",
            ),
        ),
        migrations.AddConstraint(
            model_name="post",
            constraint=models.UniqueConstraint(
                deferrable=django.db.models.constraints.Deferrable["DEFERRED"],
                fields=("series", "series_order"),
                name="post_unique_series_order",
            ),
        ),
        migrations.AddConstraint(
            model_name="post",
            constraint=models.UniqueConstraint(
                fields=("source", "source_guid"), name="post_unique_source_entry"
            ),
        ),
    ]
