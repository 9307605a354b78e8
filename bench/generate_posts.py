"""Add N generated posts, tagged, some in series, and index them: the data of the benchmarks.

Usage: python bench/generate_posts.py N [--seed S] [--workers W] [--no-index], or
`generate_posts(N, …)` from a bench script that has set Django up.

For benchmarks and load tests, never for production data (it lives in bench/, not in an app).
Rows go in with COPY in batches and bypass Post.save() (no Markdown rendering, no signals, no
tasks); the HTML is generated along with the Markdown, and search documents are built in
worker processes and copied in too.
"""

import argparse
import json
import os
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "true")
    import django

    django.setup()

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from bench.sample_posts import SamplePostFactory
from blog.models import Post, Series, Tag
from search.indexing import DocumentBuilder

BATCH_SIZE = 5000
SERIES_COUNT = 80


def post_row(values, fields):
    """Return a COPY row for Post: `values` by attribute name, every other field's default."""
    return tuple(
        field.get_db_prep_save(
            values[field.attname] if field.attname in values else field.get_default(), connection
        )
        for field in fields
    )


def generate_posts(count, seed=None, workers=2, no_index=False, stdout=sys.stdout):
    """Create `count` generated posts (1–8 KB of mixed Chinese/English technical text), indexed
    unless `no_index`; progress goes to `stdout`. Returns how many were created."""
    return _Generator(stdout).run(count, seed, workers, no_index)


class _Generator:
    def __init__(self, stdout):
        self.stdout = stdout

    def write(self, text, ending="\n"):
        self.stdout.write(text + ending)
        self.stdout.flush()

    def run(self, count, seed, workers, no_index):
        seed = seed if seed is not None else random.randrange(1 << 30)
        rng = random.Random(seed)
        factory = SamplePostFactory(seed=seed)
        author, _ = get_user_model().objects.get_or_create(
            username="generated-author", defaults={"first_name": "Generated"}
        )
        tags = {tag.name: tag.pk for tag in self._tags(factory.tags)}
        series_ids = self._series()
        next_part = dict(
            Post.objects.filter(series_id__in=series_ids)
            .values_list("series_id")
            .annotate(last=Max("series_order"))
        )
        started = time.monotonic()
        created = 0
        with DocumentBuilder(1 if no_index else workers) as builder:
            while created < count:
                size = min(BATCH_SIZE, count - created)
                self._batch(size, rng, factory, author.pk, tags, series_ids, next_part, builder, no_index)
                created += size
                elapsed = time.monotonic() - started
                self.write(f"\r{created}/{count} posts, {created / elapsed:.0f}/s", ending="")
        # Fresh statistics, and a visibility map so that index-only scans work from the start.
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
        with connection.cursor() as cursor:
            cursor.execute(f"{command} blog_post, blog_taggedpost, search_searchdocument")
        self.write(f"\nCreated {created} posts in {time.monotonic() - started:.0f} s (seed {seed}).")
        return created

    def _tags(self, names):
        existing = {tag.name: tag for tag in Tag.objects.filter(name__in=names)}
        for name in names:
            if name not in existing:
                existing[name] = Tag.objects.create(name=name)
        return existing.values()

    def _series(self):
        """Return {id: title} of the generated series, creating them the first time."""
        series = dict(Series.objects.filter(slug__startswith="generated-series-").values_list("pk", "title"))
        for number in range(len(series), SERIES_COUNT):
            created = Series.objects.create(
                title=f"生成系列 {number + 1}", slug=f"generated-series-{number + 1}"
            )
            series[created.pk] = created.title
        return series

    def _batch(self, size, rng, factory, author_id, tags, series_ids, next_part, builder, no_index):
        now = timezone.now()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence('blog_post', 'id')) FROM generate_series(1, %s)",
                [size],
            )
            ids = [row[0] for row in cursor.fetchall()]
        posts, tag_rows, sources = [], [], []
        series_ids_list = list(series_ids)
        post_fields = Post._meta.concrete_fields
        for post_id in ids:
            sample = factory.make()
            draw = rng.random()
            status = "draft" if draw < 0.03 else "scheduled" if draw < 0.04 else "published"
            if status == "scheduled":
                published_at = now + timedelta(days=rng.uniform(1, 60))
            else:
                published_at = now - timedelta(days=rng.uniform(0, 6 * 365))
            series_id = series_order = None
            if rng.random() < 0.15:
                series_id = rng.choice(series_ids_list)
                series_order = next_part[series_id] = (next_part.get(series_id) or 0) + 1
            posts.append(
                post_row(
                    {
                        "id": post_id,
                        "title": sample.title,
                        "slug": f"generated-{post_id}",
                        "body": sample.body,
                        "body_html": sample.body_html,
                        "excerpt": sample.excerpt,
                        "excerpt_text": sample.excerpt,
                        "status": status,
                        "published_at": None if status == "draft" else published_at,
                        "created_at": now,
                        "updated_at": now,
                        "author_id": author_id,
                        "series_id": series_id,
                        "series_order": series_order,
                        "language": sample.language,
                        "source_id": None,
                    },
                    post_fields,
                )
            )
            tag_rows.extend((post_id, tags[name]) for name in sample.tags)
            if status != "draft" and not no_index:
                source = {
                    "title": sample.title,
                    "tags": sample.tags,
                    "series_title": series_ids[series_id] if series_id else "",
                    "body_html": sample.body_html,
                }
                # The document's publication time is the database's to copy (search migration 0008).
                copied = (series_id, sorted(tags[name] for name in sample.tags), sample.language)
                sources.append((post_id, source, copied))
        documents = builder.build([source for _, source, _ in sources]) if sources else []
        with transaction.atomic(), connection.cursor() as cursor:
            columns = ", ".join(connection.ops.quote_name(field.column) for field in post_fields)
            with cursor.cursor.copy(f"COPY blog_post ({columns}) FROM STDIN") as copy:
                for row in posts:
                    copy.write_row(row)
            with cursor.cursor.copy("COPY blog_taggedpost (content_object_id, tag_id) FROM STDIN") as copy:
                for row in tag_rows:
                    copy.write_row(row)
            with cursor.cursor.copy(
                "COPY search_searchdocument"
                " (post_id, vector, text, formulas, series_id, tag_ids, language, indexed_at) FROM STDIN"
            ) as copy:
                for (post_id, _, copied), document in zip(sources, documents, strict=True):
                    copy.write_row(
                        (post_id, document.vector, document.text, json.dumps(document.formulas), *copied, now)
                    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int, help="How many posts to add.")
    parser.add_argument("--seed", type=int, default=None, help="Random seed, for repeatable data.")
    parser.add_argument("--workers", type=int, default=2, help="Processes that build search documents.")
    parser.add_argument("--no-index", action="store_true", help="Do not build search documents.")
    options = parser.parse_args()
    generate_posts(options.count, options.seed, options.workers, options.no_index)


if __name__ == "__main__":
    main()
