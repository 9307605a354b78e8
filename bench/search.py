"""Print server-side search latency (p50/p95) over 200 varied queries, with data size and cores.

Usage: python bench/search.py [--posts 100000]

Times what a search page costs the server apart from HTML: parsing the query, counting,
ranking one page, cutting snippets and counting facets (`search.results.search_posts`).
Then, apart: misspelt words (corrected from the vocabulary, search.corrections), queries
typed in pinyin, and the related posts of a post page (search.related), each with its p95.

The figures are those of a server in use: a first pass of as many *other* queries (another
seed) brings the index into memory, as readers' searches keep it there. That first pass is
timed too and printed as "first pass": it is what searches cost right after PostgreSQL
starts, or after the machine has let the pages go (on this machine's kind the kernel drops
idle page cache within minutes).

It never writes to the database in DATABASE_URL: it uses a sibling database on the same
server, named with a "_searchbench" suffix (a name that already contains "bench" is used as
it is), created and migrated when missing. If that holds fewer generated posts than --posts,
the shortfall is generated first with bench/generate_posts.py (about 700 posts a second
on two idle cores), and kept for the next run.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "true")

import dj_database_url
import psycopg
from psycopg import sql


def use_bench_database():
    """Point DATABASE_URL at the benchmark's own database, creating it when missing."""
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/inkstone")
    config = dj_database_url.parse(url)
    name = config["NAME"] if "bench" in config["NAME"] else f"{config['NAME']}_searchbench"
    server = {
        "host": config["HOST"],
        "port": config["PORT"],
        "user": config["USER"],
        "password": config["PASSWORD"],
        "dbname": "postgres",
    }
    with psycopg.connect(**{key: value for key, value in server.items() if value}, autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    os.environ["DATABASE_URL"] = url.split("?", 1)[0].rsplit("/", 1)[0] + "/" + name
    return name


BENCH_DATABASE = use_bench_database()

# Only now: the settings read DATABASE_URL, chosen just above.
import django

from bench.report import report

django.setup()

import opencc
from django.core.management import call_command
from django.db import connection
from pypinyin import Style, lazy_pinyin

from bench.generate_posts import generate_posts
from bench.sample_posts import EN_TERMS, ZH_TERMS
from blog.models import Post, Tag
from blog.timeline_filters import PostFilter
from search.models import VocabularyWord
from search.query import parse_query
from search.related import related_posts
from search.results import search_posts
from search.vocabulary import rebuild_vocabulary

PHRASES = ['"负载均衡"', '"in practice"', '"梯度检查点"', '"key insight"', '"silver bullet"', "“长上下文”"]
MISSING = ["Zzyzxq", "量子退火算法", "wombat numbat", "不存在的词 完全没有"]


def varied_queries(count, seed=11):
    """Return `count` (query, PostFilter, page) triples mixing every kind of query readers type."""
    rng = random.Random(seed)
    to_traditional = opencc.OpenCC("s2t.json")
    tags = list(
        Tag.objects.filter(tagged_posts__isnull=False).values_list("slug", flat=True).distinct()[:200]
    )
    makers = [
        lambda: rng.choice(ZH_TERMS),
        lambda: rng.choice(EN_TERMS),
        lambda: f"{rng.choice(ZH_TERMS)} {rng.choice(ZH_TERMS)}",
        lambda: f"{rng.choice(EN_TERMS)} {rng.choice(ZH_TERMS)}",
        lambda: f"{rng.choice(EN_TERMS)} {rng.choice(EN_TERMS)}",
        lambda: to_traditional.convert(rng.choice(ZH_TERMS)),
        lambda: rng.choice(ZH_TERMS)[0],
        lambda: rng.choice(PHRASES),
        lambda: f"{rng.choice(ZH_TERMS)} -{rng.choice(ZH_TERMS)}",
        lambda: rng.choice(MISSING),
        lambda: f"{rng.choice(ZH_TERMS)} {rng.choice(EN_TERMS)} {rng.choice(ZH_TERMS)}",
    ]
    queries = []
    for number in range(count):
        text = rng.choice(makers)()
        filters = PostFilter()
        if number % 10 == 3 and tags:
            filters = PostFilter(tag=rng.choice(tags))
        elif number % 10 == 7:
            filters = PostFilter(year=rng.randint(2021, 2026))
        queries.append((text, filters, 2 if number % 13 == 5 else 1))
    return queries


def misspelt(word, rng):
    """Return `word` with one interior letter dropped, doubled or swapped with the next."""
    position = rng.randrange(1, len(word) - 2)
    kind = rng.choice(["drop", "double", "swap"])
    if kind == "drop":
        return word[:position] + word[position + 1 :]
    if kind == "double":
        return word[: position + 1] + word[position:]
    return word[:position] + word[position + 1] + word[position] + word[position + 2 :]


def typo_queries(count, seed=5):
    """Return `count` misspellings of the corpus's longer English words."""
    rng = random.Random(seed)
    words = [term for term in EN_TERMS if term.isascii() and term.isalpha() and len(term) >= 6]
    queries = []
    while len(queries) < count:
        word = rng.choice(words)
        typo = misspelt(word, rng)
        if typo.lower() != word.lower():
            queries.append((typo, PostFilter(), 1))
    return queries


def pinyin_queries(count, seed=6):
    """Return `count` Chinese terms of the corpus typed in pinyin, with spaces or without."""
    rng = random.Random(seed)
    queries = []
    for _ in range(count):
        syllables = lazy_pinyin(rng.choice(ZH_TERMS), style=Style.NORMAL)
        queries.append((" ".join(syllables) if rng.random() < 0.5 else "".join(syllables), PostFilter(), 1))
    return queries


def timed_related(count, seed=7):
    """Time related_posts of `count` random published posts; returns milliseconds each."""
    rng = random.Random(seed)
    ids = list(Post.objects.published().values_list("pk", flat=True))
    timings = []
    for post_id in rng.sample(ids, min(count, len(ids))):
        started = time.perf_counter()
        related_posts(post_id)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def database_size():
    """Return a one-line description of the data searched."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT pg_size_pretty(pg_total_relation_size('blog_post')),
                      pg_size_pretty(pg_total_relation_size('search_searchdocument')),
                      pg_size_pretty(pg_relation_size('search_document_search')),
                      (SELECT avg(octet_length(body_html))::int FROM blog_post)"""
        )
        posts_size, documents_size, index_size, average_html = cursor.fetchone()
    return (
        f"posts table {posts_size}, search documents {documents_size} (GIN index {index_size}), "
        f"average body {average_html} bytes of HTML"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--posts", type=int, default=100_000, help="generated posts to search (default 100000)"
    )
    parser.add_argument("--queries", type=int, default=200)
    arguments = parser.parse_args()

    call_command("migrate", verbosity=0)
    generated = Post.objects.filter(slug__startswith="generated-").count()
    if generated < arguments.posts:
        print(f"Generating {arguments.posts - generated} posts (have {generated}) …")
        generate_posts(arguments.posts - generated, workers=os.cpu_count() or 1)

    if not VocabularyWord.objects.exists():
        started = time.perf_counter()
        words = rebuild_vocabulary()
        print(f"Vocabulary rebuilt: {words} words in {time.perf_counter() - started:.1f} s")
    parse_query("倒排索引 warm-up")  # loads the segmenter's dictionaries, once per process
    first_pass, _ = timed(varied_queries(arguments.queries, seed=99))
    timings, totals = timed(varied_queries(arguments.queries))

    live = Post.objects.published().count()
    load = os.getloadavg()[0]
    print(
        f"search latency, server side, {len(timings)} queries over {live} published posts ({BENCH_DATABASE})"
    )
    print(f"  cores: {os.cpu_count()} (load average {load:.1f}); {database_size()}")
    print(f"  matches per query: median {statistics.median(totals):.0f}, max {max(totals)}")
    print(f"  first pass (other queries, caches as found) {percentiles(first_pass)}")
    print(f"  all queries            {percentiles(timings)}")
    ordered = sorted(timings)
    context = {"published_posts": live, "queries": len(timings), "uncached": "yes"}
    report("search", "search p50, server side", statistics.median(ordered), "ms", **context)
    report("search", "search p95, server side", ordered[math.ceil(len(ordered) * 0.95) - 1], "ms", **context)
    first = sorted(first_pass)
    report(
        "search",
        "search p95, first pass, caches as found",
        first[math.ceil(len(first) * 0.95) - 1],
        "ms",
        **context,
    )
    buckets = [
        ("under 1,000 matches", 0, 1000),
        ("1,000-10,000 matches", 1000, 10000),
        ("over 10,000", 10000, None),
    ]
    for label, low, high in buckets:
        selected = [
            ms
            for ms, total in zip(timings, totals, strict=True)
            if total >= low and (high is None or total < high)
        ]
        if selected:
            print(f"  {label:22} {percentiles(selected)} ({len(selected)} queries)")

    # Corrections: a query finding nothing costs its own search, the lookup, and the corrected one.
    for label, queries in (("typo-corrected", typo_queries(100)), ("pinyin", pinyin_queries(100))):
        timings, corrected = timed_corrections(queries)
        print(f"  {label:22} {percentiles(timings)} ({corrected} of {len(timings)} corrected)")
        report("search", f"search p95, {label}, server side", p95(timings), "ms", **context)
    related = timed_related(200)
    print(f"  related posts          {percentiles(related)} ({len(related)} posts)")
    report("search", "related posts p95, server side", p95(related), "ms", **context)
    return 0


def p95(timings):
    """Return the 95th percentile of `timings`."""
    ordered = sorted(timings)
    return ordered[max(0, math.ceil(len(ordered) * 0.95) - 1)]


def timed_corrections(queries):
    """Run `queries`; return (milliseconds each, how many were answered by a correction)."""
    timings, corrected = [], 0
    for text, filters, page in queries:
        started = time.perf_counter()
        results = search_posts(parse_query(text), filters, page=page)
        timings.append((time.perf_counter() - started) * 1000)
        corrected += bool(results.corrected_query)
    return timings, corrected


def timed(queries):
    """Run `queries`; return (milliseconds each, number of matches each)."""
    timings, totals = [], []
    for text, filters, page in queries:
        started = time.perf_counter()
        query = parse_query(text)
        results = None if query.is_empty else search_posts(query, filters, page=page)
        timings.append((time.perf_counter() - started) * 1000)
        totals.append(results.total if results else 0)
    return timings, totals


def percentiles(timings):
    """Return "p50 … p95 … max …" of `timings` in milliseconds."""
    ordered = sorted(timings)
    p95 = ordered[max(0, math.ceil(len(ordered) * 0.95) - 1)]
    return f"p50 {statistics.median(ordered):6.1f} ms   p95 {p95:6.1f} ms   max {ordered[-1]:6.1f} ms"


if __name__ == "__main__":
    sys.exit(main())
