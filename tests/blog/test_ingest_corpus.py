"""feedparser's 2,107 test feeds through add_source + poll: nothing crashes, nothing unsafe, nothing lost.

The documents (../shared/corpora/feedparser-feeds/) are served from loopback with the headers
their `Header:` comments name; bench/feed_corpus.py does the work and says what each count
means. One pass takes minutes, so these tests are marked `corpus` and left out of `make test`;
`make test-corpus` runs them, and `python bench/feed_corpus.py` prints the counts with examples.
"""

import uuid

import pytest
from django.db import transaction
from django.test import Client, override_settings

from bench.feed_corpus import CORPUS, Counts, corpus_files, ingest_corpus

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(not CORPUS.is_dir(), reason=f"the feedparser corpus is not at {CORPUS}"),
    pytest.mark.django_db,  # so that pytest-django sets up the test database for the module fixture
]

# Text feedparser shows and a browser would not (bench/feed_corpus.py FEEDPARSER_SHOWS_MORE):
# printed by the bench, not a failure.
EXPLAINED = {"entries_missing_text_explained"}


@pytest.fixture(scope="module")
def corpus_counts(django_db_setup, django_db_blocker, tmp_path_factory):
    """Ingest the whole corpus once for this module, in a transaction rolled back afterwards."""
    with (
        django_db_blocker.unblock(),
        override_settings(
            STATIC_ROOT=tmp_path_factory.mktemp("static"),
            INGEST_ALLOW_PRIVATE=True,
            FEED_ITEMS=100_000,
            FEED_CACHE_SECONDS=0,
            PAGE_CACHE_SECONDS=0,
            CACHES={"default": {**_default_cache(), "KEY_PREFIX": f"corpus-{uuid.uuid4().hex}"}},
        ),
        transaction.atomic(),
    ):
        counts = ingest_corpus(Client())
        transaction.set_rollback(True)
    return counts


def _default_cache():
    from django.conf import settings

    return settings.CACHES["default"]


def test_every_file_was_served_added_and_compared(corpus_counts):
    assert corpus_counts.files == len(corpus_files()) > 2000
    assert corpus_counts.sources > 2000 and corpus_counts.posts > 1000
    assert corpus_counts.entries_compared > 1000


@pytest.mark.parametrize(
    "kind",
    [kind for kind in Counts.KINDS if kind not in EXPLAINED],
)
def test_nothing_goes_wrong(corpus_counts, kind):
    assert corpus_counts.problems[kind] == 0, "\n".join(corpus_counts.examples.get(kind, []))
