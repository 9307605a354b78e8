"""Regenerate every post's excerpt (after a change to the excerpt rules or settings)."""

from django.core.management.base import BaseCommand

from blog.batches import ProgressBar, in_batches
from blog.excerpts import EXCERPT_FIELDS, store_excerpts
from blog.models import Post


class Command(BaseCommand):
    help = "Regenerate the excerpt of every post, in chunks, with a progress bar."

    def add_arguments(self, parser):
        parser.add_argument("--chunk-size", type=int, default=500)

    def handle(self, *args, chunk_size, **options):
        posts = Post.objects.only(*EXCERPT_FIELDS)
        progress = ProgressBar(posts.count(), self.stdout, "excerpts")
        changed = 0
        for batch in in_batches(posts, chunk_size):
            changed += store_excerpts(batch)
            progress.advance(len(batch))
        progress.finish()
        self.stdout.write(f"{changed} of {progress.total} excerpts changed.")
