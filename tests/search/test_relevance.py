"""Readers find what they look for: recall@5 and MRR over the corpus and its queries."""

import pytest

from search.plan import SearchPlan
from search.query import parse_query
from search.results import search_posts

from .conftest import create_posts
from .corpus import HIDDEN_POSTS, NOTE_QUERIES, NOTES, POSTS, QUERIES

pytestmark = pytest.mark.django_db


def relevance(posts, queries):
    """Return (recall@5, MRR, the queries whose expected post is not first) of `queries` over `posts`."""
    ids = {post.pk: key for key, post in posts.items()}
    recalls, reciprocal_ranks, misses = [], [], []
    for text, expected in queries:
        results = search_posts(parse_query(text), per_page=5)
        top = [ids[hit.post.pk] for hit in results.hits]
        recalls.append(len(set(expected) & set(top)) / len(expected))
        rank = next((position for position, key in enumerate(top, 1) if key in expected), None)
        reciprocal_ranks.append(1 / rank if rank else 0.0)
        if rank != 1:
            misses.append(f"{text!r}: expected {expected}, got {top}")
    return sum(recalls) / len(recalls), sum(reciprocal_ranks) / len(reciprocal_ranks), misses


def report(capsys, label, queries, recall, mrr, misses):
    with capsys.disabled():
        print(
            f"\nsearch relevance, {label}, {len(queries)} queries: recall@5 = {recall:.3f}, MRR = {mrr:.3f}"
        )
        for miss in misses:
            print("  not first:", miss)


def test_expected_posts_rank_at_the_top(corpus, capsys):
    recall, mrr, misses = relevance(corpus, QUERIES)
    report(capsys, "corpus", QUERIES, recall, mrr, misses)
    assert len(QUERIES) >= 30
    assert recall >= 0.9
    assert mrr >= 0.8


def test_every_query_kind_is_represented():
    texts = [text for text, _ in QUERIES]
    assert any("檢" in text or "權" in text for text in texts), "Traditional script"
    assert any(len(text) == 1 for text in texts), "single character"
    assert any(
        any("a" <= c.lower() <= "z" for c in text) and any("\u4e00" <= c <= "\u9fff" for c in text)
        for text in texts
    )


def test_common_queries_rank_a_pool_without_losing_the_best(corpus, settings):
    # Force the pooled ranking used when thousands of posts match, with tiny pools.
    settings.SEARCH_PLAN = SearchPlan(rank_all_limit=1, heading_pool=3, recent_pool=3)
    ids = {post.pk: key for key, post in corpus.items()}
    reciprocal_ranks = []
    for text, expected in QUERIES:
        top = [ids[hit.post.pk] for hit in search_posts(parse_query(text), per_page=5).hits]
        rank = next((position for position, key in enumerate(top, 1) if key in expected), None)
        reciprocal_ranks.append(1 / rank if rank else 0.0)
    assert sum(reciprocal_ranks) / len(reciprocal_ranks) >= 0.8
    # The oldest Python post with "python" only in its body is not in the pools; titles are.
    results = search_posts(parse_query("python"), per_page=50)
    assert results.total > 6
    assert len(results.hits) <= 6
    assert ids[results.hits[0].post.pk] in {"gil", "decorators", "profiling", "type-hints", "packaging"}


@pytest.fixture
def corpus_with_notes(db):
    """The corpus plus NOTES, short recent notes mentioning its subjects in passing; indexed."""
    from search.indexing import reindex_all
    from tests.factories import make_user

    posts = create_posts(POSTS + HIDDEN_POSTS + NOTES, make_user("corpus-author"))
    reindex_all()
    return posts


def test_the_post_about_a_subject_beats_a_note_mentioning_it(corpus_with_notes, capsys):
    every_query = QUERIES + NOTE_QUERIES
    recall, mrr, misses = relevance(corpus_with_notes, every_query)
    report(capsys, "corpus with notes", every_query, recall, mrr, misses)
    assert recall >= 0.95
    assert mrr >= 0.95
    # Each post about a subject is first, above the notes naming it in a title or a tag.
    assert not [miss for miss in misses if any(miss.startswith(repr(text)) for text, _ in NOTE_QUERIES)]
