"""Keeping search documents in step with posts: one post at a time, or all of them in chunks."""

from concurrent.futures import ProcessPoolExecutor

from django.db import transaction

from blog.models import Post
from blog.visibility import live_q

from .dictionary import user_words
from .documents import build_document
from .models import SearchDocument
from .tokenize import Segmenter, get_segmenter
from .vocabulary import add_words_of, rebuild_vocabulary

DEFAULT_CHUNK_SIZE = 500


def indexable_posts():
    """Posts that have a search document: published or scheduled.

    Scheduled posts are indexed ahead of time so that they are findable the moment
    `Post.objects.published()` admits them, which happens without any save or signal.
    """
    return Post.objects.filter(live_q())


def _document_source(post):
    """Return (build_document keyword arguments, the post's fields copied onto its document).

    The publication time is not among them: the database copies it from the post's row as
    the document is written, so that it is never stale (see SearchDocument.published_at).
    """
    tags = list(post.tags.all())
    source = {
        "title": post.title,
        "tags": [tag.name for tag in tags],
        "series_title": post.series.title if post.series_id else "",
        "summary": post.summary,
        "document": post.document if post.body_html else None,
        "body": post.body,
    }
    copied = {
        "series_id": post.series_id,
        "tag_ids": sorted(tag.pk for tag in tags),
        "language": post.language,
    }
    return source, copied


_worker_segmenter = None


def _start_worker(words):
    # Worker processes build their own segmenter and never touch the database or the cache.
    global _worker_segmenter
    _worker_segmenter = Segmenter(words)


def _build_in_worker(source):
    return build_document(**source, segmenter=_worker_segmenter)


class DocumentBuilder:
    """Builds documents here or, with `workers` > 1, in a pool of processes kept for its lifetime.

    Segmentation is CPU-bound Python, so bulk indexing scales with processes, not threads.
    Use as a context manager so that the pool is shut down.
    """

    def __init__(self, workers=1):
        self.workers = workers
        self._pool = None

    def __enter__(self):
        if self.workers > 1:
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers, initializer=_start_worker, initargs=(user_words(),)
            )
        return self

    def __exit__(self, *exc_info):
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None

    def build(self, sources):
        """Return the SearchDocumentParts of `sources` (build_document keyword arguments), in order."""
        if self._pool is None or len(sources) < 2:
            segmenter = get_segmenter()
            return [build_document(**source, segmenter=segmenter) for source in sources]
        return list(self._pool.map(_build_in_worker, sources, chunksize=32))


def index_post(post_id):
    """Bring the document of post `post_id` up to date; returns True if the post is indexed."""
    return post_id in index_posts([post_id])


def index_posts(post_ids):
    """Bring the documents of posts `post_ids` up to date; returns the ids of those indexed.

    Posts that are drafts now, or gone, lose their documents. Work goes in chunks of
    DEFAULT_CHUNK_SIZE posts, each one transaction in which the post rows are locked while
    their documents are written, so concurrent runs for the same post serialise, and whichever
    runs last writes what the post is now.
    """
    post_ids = sorted(set(post_ids))
    indexed = set()
    for start in range(0, len(post_ids), DEFAULT_CHUNK_SIZE):
        indexed |= _index_chunk(set(post_ids[start : start + DEFAULT_CHUNK_SIZE]))
    return indexed


def _index_chunk(post_ids):
    with transaction.atomic():
        posts = list(
            Post.objects.select_for_update(of=("self",))
            .filter(live_q(), pk__in=post_ids)
            .select_related("series")
            .prefetch_related("tags")
            .order_by("pk")
        )
        indexed = {post.pk for post in posts}
        if post_ids - indexed:
            SearchDocument.objects.filter(post_id__in=post_ids - indexed).delete()
        if posts:
            write_documents(posts)
            add_words_of(indexed)
    return indexed


def write_documents(posts, builder=None):
    """Upsert the documents of `posts` (with series and tags prefetched); returns how many."""
    sources = [(post.pk, *_document_source(post)) for post in posts]
    parts = (builder or DocumentBuilder()).build([source for _, source, _ in sources])
    SearchDocument.objects.bulk_create(
        [
            SearchDocument(
                post_id=post_id, vector=part.vector, text=part.text, formulas=part.formulas, **copied
            )
            for (post_id, _, copied), part in zip(sources, parts, strict=True)
        ],
        update_conflicts=True,
        unique_fields=["post"],
        update_fields=["vector", "text", "formulas", "series", "tag_ids", "language", "indexed_at"],
    )
    return len(parts)


def reindex_all(*, chunk_size=DEFAULT_CHUNK_SIZE, workers=1, progress=None):
    """Rebuild every document in chunks of `chunk_size` posts, then drop those of drafts.

    `progress(done, total)` is called after each chunk. Returns the number of posts indexed.
    """
    posts = indexable_posts()
    total = posts.count()
    done = 0
    last_id = 0
    with DocumentBuilder(workers) as builder:
        while True:
            chunk = list(
                posts.filter(pk__gt=last_id)
                .order_by("pk")
                .select_related("series")
                .prefetch_related("tags")[:chunk_size]
            )
            if not chunk:
                break
            last_id = chunk[-1].pk
            done += write_documents(chunk, builder)
            if progress:
                progress(done, total)
    remove_stale_documents()
    rebuild_vocabulary()
    return done


def remove_stale_documents():
    """Delete documents whose post is a draft now; returns how many."""
    deleted, _ = SearchDocument.objects.exclude(live_q("post__")).delete()
    return deleted


def index_missing_documents(*, limit=1000):
    """Index live posts that have no document yet (published by a bulk update); returns how many."""
    post_ids = list(
        indexable_posts()
        .filter(search_document__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    return len(index_posts(post_ids))
