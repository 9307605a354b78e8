"""Re-render every post's body (after a change to the Markdown or math pipeline)."""

from django.core.management.base import BaseCommand
from django.db import transaction

from blog.batches import ProgressBar, in_batches
from blog.models import Post
from blog.page_cache import bump_content_version_on_commit


class Command(BaseCommand):
    help = "Re-render body_html and headings of every post, in chunks, with a progress bar."

    def add_arguments(self, parser):
        parser.add_argument("--chunk-size", type=int, default=200)

    def handle(self, *args, chunk_size, **options):
        posts = Post.objects.only("id", "body", "body_html", "headings")
        progress = ProgressBar(posts.count(), self.stdout, "rendering")
        changed = 0
        for batch in in_batches(posts, chunk_size):
            stale = []
            for post in batch:
                before = (post.body_html, post.headings)
                post.render()
                if (post.body_html, post.headings) != before:
                    stale.append(post)
            with transaction.atomic():
                # bulk_update skips save(): no slug, order or excerpt side effects, one query.
                Post.objects.bulk_update(stale, ["body_html", "headings"])
                if stale:
                    bump_content_version_on_commit()
            changed += len(stale)
            progress.advance(len(batch))
        progress.finish()
        self.stdout.write(f"{changed} of {progress.total} posts changed.")
