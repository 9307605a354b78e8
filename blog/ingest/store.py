"""Turning feed entries into posts: idempotent upserts keyed by (source, entry id)."""

import hashlib
import re
from dataclasses import dataclass, field

from celery.exceptions import SoftTimeLimitExceeded
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from blog.document import Heading, Prose, inline_text
from blog.markdown import render_document
from blog.models import Post
from blog.script_ranges import HAN_CHARACTER

from .convert import html_to_markdown
from .links import http_url
from .plain_text import plain_text, without_control_characters

INGEST_USERNAME = "ingest"
MAX_TAGS = 10
MAX_TITLE_LENGTH = 200  # Post.title
MAX_TAG_LENGTH = 100  # Tag.name
UNTITLED_TITLE_LENGTH = 80
LATIN_WORD_RE = re.compile(r"[A-Za-z]{2,}")


@dataclass
class IngestReport:
    """What one pass over a feed did, entry by entry."""

    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    skipped: list = field(default_factory=list)
    failed: list = field(default_factory=list)

    def summary(self):
        return (
            f"{len(self.created)} created, {len(self.updated)} updated, "
            f"{len(self.skipped)} unchanged, {len(self.failed)} failed"
        )


def content_hash(title, body):
    """Fingerprint of a post's text, to tell an edited post from the one we ingested."""
    return hashlib.sha256(f"{title}\n{body}".encode()).hexdigest()


def guess_language(text):
    """ "zh" when Chinese characters make up a real share of the text, else "en"."""
    chinese = len(HAN_CHARACTER.findall(text))
    latin_words = len(LATIN_WORD_RE.findall(text))
    return Post.Language.CHINESE if chinese >= latin_words else Post.Language.ENGLISH


def ingest_author(source):
    """The source's default author, else the shared "ingest" account (which cannot log in)."""
    if source.default_author_id:
        return source.default_author
    user, created = get_user_model().objects.get_or_create(
        username=INGEST_USERNAME, defaults={"first_name": "Inkstone", "last_name": "ingest"}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def entry_tags(source, entry):
    """The source's default tags followed by the entry's own categories, without repeats.

    A category is outside text like a title: "&lt;b&gt;ML&lt;/b&gt;" is the tag "ML".
    """
    defaults = [" ".join(without_control_characters(name).split()) for name in source.default_tags.split(",")]
    names = defaults + [plain_text(name) for name in entry.tags]
    unique = {}
    for name in names:
        if name:
            unique.setdefault(name.casefold(), name[:MAX_TAG_LENGTH].rstrip())
    return list(unique.values())[:MAX_TAGS]


@dataclass
class PreparedEntry:
    """A feed entry converted to what its post stores, before any database work."""

    entry: object
    title: str
    body: str
    fingerprint: str

    @property
    def label(self):
        return entry_label(self.entry)


def entry_label(entry):
    """How the ingest report names an entry."""
    return entry.title or entry.link or entry.guid


def title_from_body(body):
    """The plain text of a body's first heading or paragraph (formulas as TeX), cut short, or ""."""
    for block in render_document(body).blocks:
        if isinstance(block, Heading | Prose):
            text = inline_text(block.inlines)
            if text:
                return text[:UNTITLED_TITLE_LENGTH].rstrip()
    return ""


def prepare_entry(source, entry):
    """Convert one entry's HTML to Markdown and settle its plain-text title and fingerprint."""
    link = http_url(entry.link)
    body = html_to_markdown(entry.html, link or http_url(source.site_url) or source.feed_url)
    title = (
        plain_text(entry.title, max_length=MAX_TITLE_LENGTH)
        or title_from_body(body)
        or link[:MAX_TITLE_LENGTH]
        or "(untitled)"
    )
    return PreparedEntry(entry, title, body, content_hash(title, body))


def new_post(source, prepared, author):
    """The unsaved post for an entry seen for the first time."""
    entry = prepared.entry
    now = timezone.now()
    return Post(
        title=prepared.title,
        body=prepared.body,
        author=author,
        status=Post.Status.PUBLISHED if source.publish_immediately else Post.Status.DRAFT,
        published_at=min(entry.published or now, now),  # a future date must not hide the post
        language=guess_language(f"{prepared.title}\n{prepared.body}"),
        series=source.default_series,
        source=source,
        source_guid=entry.guid,
        original_url=http_url(entry.link),
        source_hash=prepared.fingerprint,
    )


def store_entry(source, prepared, author):
    """Create or update the post for one entry; returns "created", "updated" or "unchanged".

    The one-at-a-time path, for changed entries and for a batch that met a concurrent worker.
    Each entry is one transaction: a post appears with its tags or not at all, so a worker
    killed half-way leaves nothing half-made, and the retry simply carries on.
    """
    entry = prepared.entry
    with transaction.atomic():
        existing = Post.objects.select_for_update().filter(source=source, source_guid=entry.guid).first()
        if existing is not None:
            if existing.source_hash == prepared.fingerprint:
                return "unchanged"
            if content_hash(existing.title, existing.body) != existing.source_hash:
                # Edited in the admin since we ingested it: the editor's version wins.
                return "unchanged"
            existing.title, existing.body = prepared.title, prepared.body
            existing.source_hash = prepared.fingerprint
            existing.original_url = http_url(entry.link) or http_url(existing.original_url)
            existing.save()
            return "updated"
        post = new_post(source, prepared, author)
        try:
            with transaction.atomic():
                post.save()
                post.tags.set(entry_tags(source, entry))
        except IntegrityError:
            # Another worker stored this entry a moment ago: the constraint kept it single.
            if Post.objects.filter(source=source, source_guid=entry.guid).exists():
                return "unchanged"
            raise
        return "created"


def store_new_entries(source, prepared_entries, author):
    """Insert the posts of entries never seen before in one transaction; True if it worked.

    A feed's new entries usually all are: one bulk insert of posts and one of their tags, and
    one task each for their excerpts and search documents. If anything goes wrong (another
    worker stored one of them meanwhile or took a slug, one entry's data is unstorable),
    nothing of the batch is kept and False says to go one by one, where each failure is the
    entry's own.
    """
    posts = [new_post(source, prepared, author) for prepared in prepared_entries]
    tag_names = [entry_tags(source, prepared.entry) for prepared in prepared_entries]
    try:
        with transaction.atomic():
            Post.objects.create_rendered(posts, tag_names)
    except SoftTimeLimitExceeded:
        raise
    except Exception:  # retried entry by entry below, where each error is reported
        return False
    return True


def store_entries(source, entries):
    """Store every entry of a feed; one entry that fails never stops the others."""
    report = IngestReport()
    author = ingest_author(source)
    prepared_entries = {}
    for entry in entries:
        label = entry_label(entry)
        if entry.guid in prepared_entries:
            report.skipped.append(label)  # the feed lists the same entry twice
            continue
        try:
            prepared_entries[entry.guid] = prepare_entry(source, entry)
        except SoftTimeLimitExceeded:
            raise  # the task's time is up: poll_source records it, and no entry is the culprit
        except Exception as error:
            report.failed.append(f"{label}: {type(error).__name__}: {error}"[:500])
    known = set(
        Post.objects.filter(source=source, source_guid__in=list(prepared_entries)).values_list(
            "source_guid", flat=True
        )
    )
    new = [prepared for guid, prepared in prepared_entries.items() if guid not in known]
    one_by_one = [prepared for guid, prepared in prepared_entries.items() if guid in known]
    if len(new) > 1 and store_new_entries(source, new, author):
        report.created.extend(prepared.label for prepared in new)
    else:
        one_by_one = new + one_by_one
    outcomes = {"created": report.created, "updated": report.updated, "unchanged": report.skipped}
    for prepared in one_by_one:
        try:
            outcome = store_entry(source, prepared, author)
        except SoftTimeLimitExceeded:
            raise
        except Exception as error:
            report.failed.append(f"{prepared.label}: {type(error).__name__}: {error}"[:500])
            continue
        outcomes[outcome].append(prepared.label)
    return report
