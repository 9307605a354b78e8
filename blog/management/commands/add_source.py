"""Add an outside feed as a source: `manage.py add_source URL [--tags a,b] [--review]`."""

from django.core.management.base import BaseCommand, CommandError

from blog.ingest.sources import SourceError, add_source


class Command(BaseCommand):
    help = "Add a feed (or a page that links to its feed) as an ingestion source."

    def add_arguments(self, parser):
        parser.add_argument("url")
        parser.add_argument("--tags", default="", help="Comma-separated tags added to every entry.")
        parser.add_argument("--review", action="store_true", help="New entries wait as drafts for review.")
        parser.add_argument("--interval", type=int, default=60, help="Minutes between polls (at least 5).")

    def handle(self, *args, url, tags, review, interval, **options):
        if interval < 5:
            raise CommandError("--interval must be at least 5 minutes.")
        try:
            source = add_source(url, tags=tags, review=review, poll_interval_minutes=interval)
        except SourceError as error:
            raise CommandError(str(error)) from None
        mode = "drafts for review" if review else "published at once"
        self.stdout.write(f"Added source {source.pk}: {source} <{source.feed_url}> (new entries: {mode}).")
