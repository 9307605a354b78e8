"""Publish, unpublish or schedule posts by slug from the command line, as a named writer.

A thin caller of authoring.publishing, so a script gets the admin's rules: the writer must be
allowed to publish, review requests close, and each post keeps a revision naming them.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from authoring import publishing
from blog.models import Post


class Command(BaseCommand):
    help = "Publish (or --unpublish, or --at a time schedule) the posts with these slugs, as --as USER."

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="+")
        parser.add_argument(
            "--as", dest="username", required=True, help="Who publishes (kept in the history)."
        )
        action = parser.add_mutually_exclusive_group()
        action.add_argument("--unpublish", action="store_true", help="Turn the posts back into drafts.")
        action.add_argument("--at", help='Schedule instead, e.g. "2026-12-24 09:00" (site time zone).')

    def handle(self, *args, slugs, username, unpublish, at, **options):
        by = get_user_model().objects.filter(username=username).first()
        if by is None:
            raise CommandError(f"No user named {username!r}.")
        posts = Post.objects.filter(slug__in=slugs)
        missing = sorted(set(slugs) - set(posts.values_list("slug", flat=True)))
        if missing:
            raise CommandError(f"No post with the slug {', '.join(missing)}; nothing was changed.")
        try:
            if unpublish:
                count, done = publishing.unpublish(posts, by), "unpublished"
            elif at:
                count, done = publishing.schedule(posts, scheduled_time(at), by), "scheduled"
            else:
                count, done = publishing.publish(posts, by), "published"
        except PermissionDenied as error:
            raise CommandError(f"{username} may not publish posts ({error}).") from None
        self.stdout.write(f"{count} post(s) {done}.")


def scheduled_time(text):
    """`text` as an aware time (naive ones are in the site's time zone); CommandError if it is none."""
    moment = parse_datetime(text.strip().replace(" ", "T", 1))
    if moment is None:
        raise CommandError(f"{text!r} is not a date and time; write it as 2026-12-24 09:00.")
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment
