"""manage.py reindex: rebuild every post's search document, in chunks, with a progress bar."""

import time

from django.core.management.base import BaseCommand

from search.indexing import DEFAULT_CHUNK_SIZE, reindex_all
from search.tokenize import get_segmenter

BAR_WIDTH = 30


class Command(BaseCommand):
    help = "Rebuild the search documents of all published and scheduled posts; drop drafts' documents."

    def add_arguments(self, parser):
        parser.add_argument("--chunk-size", type=int, default=DEFAULT_CHUNK_SIZE, help="Posts per chunk.")
        parser.add_argument("--workers", type=int, default=1, help="Processes that build documents.")

    def handle(self, chunk_size, workers, **options):
        get_segmenter(recheck=True)
        started = time.monotonic()

        def progress(done, total):
            filled = BAR_WIDTH * done // max(total, 1)
            rate = done / max(time.monotonic() - started, 1e-9)
            bar = "#" * filled + "-" * (BAR_WIDTH - filled)
            self.stdout.write(f"\r[{bar}] {done}/{total} posts, {rate:.0f}/s", ending="")
            self.stdout.flush()

        indexed = reindex_all(chunk_size=chunk_size, workers=workers, progress=progress)
        self.stdout.write(f"\nIndexed {indexed} posts in {time.monotonic() - started:.1f} s.")
