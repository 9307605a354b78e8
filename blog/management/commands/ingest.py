"""Poll sources: `manage.py ingest [--all | --source ID | URL] [--sync]`."""

from django.core.management.base import BaseCommand, CommandError

from blog.ingest.poll import poll_source
from blog.models import Source
from blog.tasks import ingest_source


class Command(BaseCommand):
    help = "Poll feed sources now: enqueue for the workers, or with --sync run here and report."

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--all", action="store_true", help="Every active source.")
        which.add_argument("--source", type=int, metavar="ID", help="One source by id.")
        which.add_argument("url", nargs="?", help="One source by its feed URL.")
        parser.add_argument("--sync", action="store_true", help="Run in this process and print the outcome.")

    def handle(self, *args, all, source, url, sync, **options):
        if all:
            sources = list(Source.objects.filter(is_active=True).order_by("pk"))
        elif source is not None:
            sources = list(Source.objects.filter(pk=source))
        else:
            sources = list(Source.objects.filter(feed_url=url))
        if not sources:
            raise CommandError("No such source. See `manage.py add_source --help` to add one.")
        failures = 0
        for item in sources:
            if not sync:
                ingest_source.delay(item.pk)
                self.stdout.write(f"Queued {item} for the workers.")
                continue
            result = poll_source(item.pk)
            self.stdout.write(f"{item}: {result.status}; {result.report.summary()}")
            for title in result.report.created:
                self.stdout.write(f"  created: {title}")
            for line in result.report.failed:
                self.stdout.write(f"  failed: {line}")
            if result.error:
                self.stdout.write(f"  error: {result.error}")
            failures += result.status == "failed"
        if failures:
            raise CommandError(f"{failures} of {len(sources)} sources failed; see the errors above.")
