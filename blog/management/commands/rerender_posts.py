"""Re-render every post's body (after a change to the Markdown or math pipeline)."""

from django.core.management.base import BaseCommand
from django.db import transaction

from blog.batches import ProgressBar, in_batches
from blog.events import CONTENT, announce_posts_changed
from blog.models import Post


class Command(BaseCommand):
    help = "Re-render body_html, outline and headings of every post, in chunks, with a progress bar."

    def add_arguments(self, parser):
        parser.add_argument("--chunk-size", type=int, default=200)

    def handle(self, *args, chunk_size, **options):
        posts = Post.objects.only("id", "body", *Post.RENDERED_FIELDS)
        progress = ProgressBar(posts.count(), self.stdout, "rendering")
        changed = 0
        for batch in in_batches(posts, chunk_size):
            stale = []
            for post in batch:
                before = [getattr(post, name) for name in Post.RENDERED_FIELDS]
                post.render()
                if [getattr(post, name) for name in Post.RENDERED_FIELDS] != before:
                    stale.append(post)
            with transaction.atomic():
                # bulk_update skips save(): no slug, order or excerpt side effects, one query.
                Post.objects.bulk_update(stale, Post.RENDERED_FIELDS)
                # Their excerpts and documents are made again from the new rendering.
                announce_posts_changed([post.pk for post in stale], {CONTENT})
            changed += len(stale)
            progress.advance(len(batch))
        progress.finish()
        self.stdout.write(f"{changed} of {progress.total} posts changed.")
