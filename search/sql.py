"""Every statement a search runs, written out instead of built through querysets.

A search page asks Postgres the same few questions with different words. Built as querysets,
the documents' WHERE clause was compiled five times a page: about 5 ms of Python, a sixth of
the bench's page (`bench/search.py`). Written out, the clauses cost microseconds.

Statements read the search documents as `d`. A Scan is the WHERE clause that picks
documents, with its named parameters (psycopg's `%(name)s`); the statement builders below
combine scans into statements and return (sql, {name: value}). Where one statement holds
two scans whose parameters differ (a pool since one date, another since a second), each is
selected under a prefix of its own. Every value travels as a parameter; only integers from
this code and quoted table names are written into the text. search.results runs them and
reads their rows.

Statements run on the database the router picks for reading search documents (a read
replica where one is configured), never on whichever connection happens to be the default.
"""

import enum
import re
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import connections, router

from blog.models import Post, Series, Tag, TaggedPost

from .models import SearchDocument, VocabularyWord

PARAMETER = re.compile(r"%\((\w+)\)s")


def database():
    """Return the connection search statements run on: the router's choice for reading documents."""
    return connections[router.db_for_read(SearchDocument)]


def table(model):
    """Return the quoted table name of `model`."""
    return database().ops.quote_name(model._meta.db_table)


def merged(*parameter_sets):
    """Return one dict of the named parameters of several parts of a statement.

    A name given twice must carry the same value: two parts asking different things under one
    name is a bug in the statement, caught here rather than answered wrongly.
    """
    params = {}
    for parameter_set in parameter_sets:
        for name, value in parameter_set.items():
            if name in params and params[name] != value:
                raise ValueError(f"parameter {name!r} is given two values")
            params[name] = value
    return params


def prefixed(statement, params, prefix):
    """Return (statement, params) with every parameter renamed `prefix` + its name."""
    if not prefix:
        return statement, params
    renamed = PARAMETER.sub(lambda match: f"%({prefix}{match.group(1)})s", statement)
    return renamed, {prefix + name: value for name, value in params.items()}


class Row(enum.IntEnum):
    """What a row of the summary statement says (its first column)."""

    TOTAL = 0
    TAG_FACET = 1
    SERIES_FACET = 2
    CANDIDATE = 3
    RECENT_AFTER = 4  # the recency cutoff of an estimated set
    SAMPLE_RATE = 5  # there when the set is estimated: the rate of the sample it was counted from
    HEADING_AFTER = 6  # the wider cutoff an estimated set's heading pool tries first
    YEAR_FACET = 7  # name and slug: the year, as the site's time zone has it


@dataclass(frozen=True)
class Scan:
    """Search documents meeting every one of `clauses` (SQL over `d`), and their named parameters."""

    clauses: tuple = ()
    params: tuple = ()  # (name, value) pairs: a dict would not be hashable

    def where(self, clause, **params):
        """Return this scan narrowed by `clause`, whose `%(name)s` placeholders take `params`."""
        return Scan((*self.clauses, clause), tuple(merged(dict(self.params), params).items()))

    def select(self, columns, prefix=""):
        """Return (sql, params) selecting `columns` (over `d`) of the documents scanned.

        With `prefix`, the parameters are renamed so that the select can sit in a statement
        beside another scan of the same names.
        """
        where = " AND ".join(self.clauses) or "TRUE"
        statement = f"SELECT {columns} FROM {table(SearchDocument)} AS d WHERE {where}"  # noqa: S608
        return prefixed(statement, dict(self.params), prefix)


# A document `d` whose post readers may see now, as `Post.objects.published()` has it: its
# publication time is NULL while the post is a draft, kept so by the database (migration
# 0011), so this is a check of the row an index scan returns anyway.
VISIBLE = "d.published_at <= STATEMENT_TIMESTAMP()"


def visible_scan():
    """Documents of the posts readers may see now."""
    return Scan().where(VISIBLE)


def matching(scan, tsquery, column="vector"):
    """Return `scan` narrowed to documents whose `column` (vector, pairs or head) matches `tsquery`."""
    assert column in ("vector", "pairs", "head")
    return scan.where(f"d.{column} @@ %({column}_query)s::tsquery", **{f"{column}_query": tsquery})


def in_sample(scan, rate):
    """Return `scan` narrowed to the sample of one document in `rate`, as its partial index has it.

    The clause must read exactly as the index's predicate (search.models.in_sample), with the
    rate written in, or the planner cannot use the small index.
    """
    return scan.where(f"MOD(d.post_id, {int(rate)}) = 0")


def with_tag(scan, slug):
    """Return `scan` narrowed to documents carrying the tag `slug` (none if there is no such tag)."""
    return scan.where(
        f"d.tag_ids @> ARRAY[(SELECT id FROM {table(Tag)} WHERE slug = %(tag)s)]::bigint[]",  # noqa: S608
        tag=slug,
    )


def in_series(scan, slug):
    """Return `scan` narrowed to documents of posts in the series `slug`."""
    return scan.where(f"d.series_id = (SELECT id FROM {table(Series)} WHERE slug = %(series)s)", series=slug)  # noqa: S608


def by_author(scan, username):
    """Return `scan` narrowed to documents of posts written by `username`."""
    return scan.where(
        f"d.post_id IN (SELECT id FROM {table(Post)} WHERE author_id ="  # noqa: S608
        f" (SELECT id FROM {table(get_user_model())} WHERE username = %(author)s))",
        author=username,
    )


def in_language(scan, language):
    """Return `scan` narrowed to documents of posts written in `language` (a Post.Language)."""
    return scan.where("d.language = %(language)s", language=str(language))


def from_source(scan, source_id):
    """Return `scan` narrowed to documents of posts ingested from the feed source `source_id`."""
    return scan.where(
        f"d.post_id IN (SELECT id FROM {table(Post)} WHERE source_id = %(source)s)",  # noqa: S608
        source=source_id,
    )


def published_in(scan, months, start, end=None):
    """Return `scan` narrowed to documents published in [start, end) (without `end`: since `start`).

    `months` are the first days of the UTC months the span touches: the GIN index finds those
    (one scan key), and the exact instants are checked on the rows it returns.
    """
    scan = scan.where("d.published_months && %(months)s::date[]", months=list(months))
    scan = scan.where("d.published_at >= %(start)s", start=start)
    return scan.where("d.published_at < %(end)s", end=end) if end is not None else scan


def planner_settings():
    """Return the statement steering this transaction's planner towards the GIN indexes.

    Postgres charges nothing for detoasting a tsvector, so for a common word it prefers a
    sequential scan that evaluates @@ on every document (hundreds of milliseconds at 100,000
    posts) over the bitmap index scan that never reads a vector (milliseconds). For the same
    reason no other index on the documents may select rows that @@ then filters: the copied
    fields live in the vector's GIN index (see SearchDocument.Meta). JIT compilation would
    cost more than these short queries take.
    """
    return "SET LOCAL enable_seqscan = off; SET LOCAL jit = off"


def summary(scan, plan, time_zone):
    """Return (sql, params) of the statement that counts, facets and picks what to rank.

    The sparse sample's matches are collected first (a small index holds one document in
    `plan.sparse_sample_rate`), then, unless there are `plan.sparse_sample_min` of them, the
    sample's. When either has enough, the result set is huge: that sample gives the total
    and the facet counts, and the date after which the most recent matches lie; no other
    match is read. Otherwise all matches are collected once, for the exact total and facets;
    up to `plan.rank_all_limit` of them all are candidates for ranking, beyond it the most
    recent ones (the ranking statement adds heading matches, see ranked_page).

    Rows are (Row, post id, name, slug, count, time). Years are counted in `time_zone` (a
    name), as the year filter reads them.
    """
    columns = "d.post_id, d.published_at, d.series_id, d.tag_ids"
    sparse, params = in_sample(scan, plan.sparse_sample_rate).select(columns)
    sample, _ = in_sample(scan, plan.sample_rate).select(columns)
    matches, _ = scan.select(columns)
    statement = f"""
        WITH sparse AS MATERIALIZED ({sparse}),
        sparse_enough AS (SELECT count(*) >= %(sparse_sample_min)s AS yes FROM sparse),
        sample AS MATERIALIZED (
            SELECT * FROM ({sample}) AS sample WHERE NOT (SELECT yes FROM sparse_enough)
        ),
        estimated AS (
            SELECT (SELECT yes FROM sparse_enough) OR count(*) >= %(sample_min)s AS yes FROM sample
        ),
        chosen AS NOT MATERIALIZED (
            SELECT * FROM sparse WHERE (SELECT yes FROM sparse_enough)
            UNION ALL SELECT * FROM sample WHERE NOT (SELECT yes FROM sparse_enough)
        ),
        matches AS MATERIALIZED (
            SELECT * FROM ({matches}) AS matches WHERE NOT (SELECT yes FROM estimated)
        ),
        counted AS NOT MATERIALIZED (
            SELECT * FROM matches UNION ALL SELECT * FROM chosen WHERE (SELECT yes FROM estimated)
        ),
        total AS (SELECT count(*) AS count FROM counted)
        SELECT {Row.TOTAL:d}, NULL::bigint, '', '', count, NULL::timestamptz FROM total
        UNION ALL
        SELECT {Row.SAMPLE_RATE:d}, NULL, '', '',
            CASE WHEN (SELECT yes FROM sparse_enough) THEN %(sparse_sample_rate)s ELSE %(sample_rate)s END,
            NULL
        FROM estimated WHERE yes
        UNION ALL
        SELECT {Row.TAG_FACET:d}, NULL, tag.name, tag.slug, counted.count, NULL FROM (
            SELECT tag_id, count(*) AS count FROM (SELECT unnest(tag_ids) AS tag_id FROM counted) AS tags
            GROUP BY tag_id ORDER BY count DESC, tag_id LIMIT %(facet_size)s
        ) AS counted JOIN {table(Tag)} AS tag ON tag.id = counted.tag_id
        UNION ALL
        SELECT {Row.SERIES_FACET:d}, NULL, series.title, series.slug, counted.count, NULL FROM (
            SELECT series_id, count(*) AS count FROM counted WHERE series_id IS NOT NULL
            GROUP BY series_id ORDER BY count DESC, series_id LIMIT %(facet_size)s
        ) AS counted JOIN {table(Series)} AS series ON series.id = counted.series_id
        UNION ALL
        SELECT {Row.YEAR_FACET:d}, NULL, year::text, year::text, count, NULL FROM (
            SELECT EXTRACT(YEAR FROM published_at AT TIME ZONE %(time_zone)s)::int AS year,
                count(*) AS count
            FROM counted GROUP BY 1
        ) AS years
        UNION ALL
        SELECT {Row.CANDIDATE:d}, post_id, '', '', 0, NULL FROM matches
        WHERE (SELECT count FROM total) <= %(rank_all_limit)s
        UNION ALL (
            SELECT {Row.CANDIDATE:d}, post_id, '', '', 0, NULL FROM matches
            WHERE (SELECT count FROM total) > %(rank_all_limit)s
            ORDER BY published_at DESC, post_id DESC LIMIT %(recent_pool)s
        )
        UNION ALL (
            SELECT {Row.RECENT_AFTER:d}, NULL, '', '', 0, published_at FROM chosen
            WHERE (SELECT yes FROM estimated)
            ORDER BY published_at DESC NULLS LAST, post_id DESC
            OFFSET (
                SELECT CASE WHEN yes THEN %(sparse_recent_offset)s ELSE %(recent_offset)s END
                FROM sparse_enough
            ) LIMIT 1
        )
        UNION ALL (
            SELECT {Row.HEADING_AFTER:d}, NULL, '', '', 0, published_at FROM chosen
            WHERE (SELECT yes FROM estimated)
            ORDER BY published_at DESC NULLS LAST, post_id DESC
            OFFSET (
                SELECT CASE WHEN yes THEN %(sparse_heading_offset)s ELSE %(heading_offset)s END
                FROM sparse_enough
            ) LIMIT 1
        )
    """  # noqa: S608 - the only interpolations are scans, quoted table names and Row numbers
    return statement, merged(
        params,
        {
            "sparse_sample_min": plan.sparse_sample_min,
            "sample_min": plan.sample_min,
            "sparse_sample_rate": plan.sparse_sample_rate,
            "sample_rate": plan.sample_rate,
            "facet_size": plan.facet_size,
            "time_zone": time_zone,
            "rank_all_limit": plan.rank_all_limit,
            "recent_pool": plan.recent_pool,
            "sparse_recent_offset": plan.sparse_recent_cutoff - 1,
            "recent_offset": plan.recent_cutoff - 1,
            "sparse_heading_offset": plan.sparse_heading_cutoff - 1,
            "heading_offset": plan.heading_cutoff - 1,
        },
    )


def count(scan, plan, prefix):
    """Return (sql, params) of a scalar expression counting the documents of `scan`: exact, or estimated.

    The sample is counted first; the full count runs only when the sample is small, as its
    subquery is evaluated lazily. The result is negated when it is an estimate.
    """
    sample, params = in_sample(scan, plan.sample_rate).select("d.post_id", prefix)
    full, _ = scan.select("d.post_id", prefix)
    statement = (
        f"(SELECT CASE WHEN sampled.count >= %({prefix}sample_min)s THEN -sampled.count"  # noqa: S608 - built from Scan
        f" ELSE (SELECT count(*) FROM ({full}) AS matches) END"
        f" FROM (SELECT count(*) AS count FROM ({sample}) AS sample) AS sampled)"
    )
    return statement, merged(params, {f"{prefix}sample_min": plan.sample_min})


def counts(scans, plan):
    """Return (sql, params) of one row holding count() of each of `scans`, in order."""
    selects, params = [], {}
    for number, scan in enumerate(scans):
        select, select_params = count(scan, plan, f"c{number}_")
        selects.append(select)
        params = merged(params, select_params)
    return "SELECT " + ", ".join(selects), params


def most_recent(scan, limit, prefix):
    """Return (sql, params) selecting the post ids of the `limit` most recent documents of `scan`.

    The documents are collected first (fenced in a CTE) and then sorted: left to itself, the
    planner may prefer a scan in date order that checks @@ on every document it meets,
    reading a whole vector each time, where the bitmap scans of the GIN indexes read none.
    """
    pool, params = scan.select("d.post_id, d.published_at", prefix)
    statement = (
        f"(WITH pool AS MATERIALIZED ({pool})"  # noqa: S608 - built from Scan
        f" SELECT post_id FROM pool ORDER BY published_at DESC, post_id DESC LIMIT %({prefix}limit)s)"
    )
    return statement, merged(params, {f"{prefix}limit": limit})


def most_recent_trying_since(recent_scan, scan, limit, prefix):
    """Return (sql, params) like most_recent, reading only `recent_scan` if it has enough.

    `recent_scan` is `scan` narrowed to documents published since some moment: when at least
    `limit` of them were, the most recent `limit` are among them; otherwise all documents of
    `scan` are read, so the answer is the same either way.
    """
    recent, recent_params = recent_scan.select("d.post_id, d.published_at", prefix + "since_")
    every, every_params = scan.select("d.post_id, d.published_at", prefix)
    statement = (
        f"(WITH since AS MATERIALIZED ({recent}),"  # noqa: S608 - built from Scan
        f" enough AS (SELECT count(*) >= %({prefix}limit)s AS yes FROM since),"
        f" every AS MATERIALIZED (SELECT * FROM ({every}) AS every WHERE NOT (SELECT yes FROM enough))"
        " SELECT post_id FROM ("
        "SELECT * FROM since WHERE (SELECT yes FROM enough) UNION ALL SELECT * FROM every"
        f") AS pool ORDER BY published_at DESC, post_id DESC LIMIT %({prefix}limit)s)"
    )
    return statement, merged(recent_params, every_params, {f"{prefix}limit": limit})


def score(plan, phrase=""):
    """Return (sql, params) of a document's relevance to the `rank_query` parameter.

    Weighted cover density (title and tags weigh most, and query words close together in a
    document make short covers, so proximity counts), times three factors:

    * how much the body discusses the query, its own cover density bounded below one: a
      note whose title names the subject but whose body never returns to it loses to the
      post about it (`plan.body_boost`);
    * the query's words standing in the order and at the distances typed, `phrase`
      (`plan.phrase_boost`);
    * recency: a post published today scores up to `plan.recency_boost` more than an old
      one; the bonus halves every `plan.recency_half_life_days`.
    """
    phrase_factor = (
        " * (1.0 + CASE WHEN d.vector @@ %(rank_phrase)s::tsquery THEN %(phrase_boost)s ELSE 0 END)"
        if phrase
        else ""
    )
    return (
        "(ts_rank_cd(%(rank_weights)s::float4[], d.vector, %(rank_query)s::tsquery, %(rank_normalization)s)"
        " * (1.0 + %(body_boost)s"
        " * ts_rank_cd(%(body_weights)s::float4[], d.vector, %(rank_query)s::tsquery, 32))"
        f"{phrase_factor}"
        " * (1.0 + %(recency_boost)s / (1.0 + GREATEST("
        "EXTRACT(EPOCH FROM (NOW() - COALESCE(d.published_at, NOW()))), 0) / %(recency_half_life)s)))",
        {
            "rank_weights": list(plan.rank_weights),
            "rank_normalization": plan.rank_normalization,
            "body_weights": [0.25, 1.0, 0.0, 0.0],
            "body_boost": plan.body_boost,
            "recency_boost": plan.recency_boost,
            "recency_half_life": plan.recency_half_life_days * 86400.0,
            **({"rank_phrase": phrase, "phrase_boost": plan.phrase_boost} if phrase else {}),
        },
    )


def ranked_page(candidates, pools, tsquery, plan, *, recheck, offset, limit, phrase=""):
    """Return (sql, params) of [(post id, score)]: one page of the candidate documents, best first.

    `candidates` are post ids, `pools` (sql, params) selects of more of them; with `recheck`,
    each must match `tsquery` again (see results.ranked). `phrase`: see score.
    """
    selects, params = [], {}
    if candidates:
        selects.append("SELECT unnest(%(candidates)s::bigint[])")
        params["candidates"] = sorted(candidates)
    for pool, pool_params in pools:
        selects.append(pool)
        params = merged(params, pool_params)
    ranked = Scan().where(f"d.post_id IN ({' UNION '.join(selects)})")
    if recheck:
        ranked = matching(ranked, tsquery)
    score_sql, score_params = score(plan, phrase)
    select, select_params = ranked.select(f"d.post_id, {score_sql} AS score")
    statement = (
        f"{select} ORDER BY score DESC, d.published_at DESC, d.post_id DESC"
        " LIMIT %(page_limit)s OFFSET %(page_offset)s"
    )
    return statement, merged(
        params,
        select_params,
        score_params,
        {"rank_query": tsquery, "page_limit": limit, "page_offset": offset},
    )


def hits(post_fields, post_ids):
    """Return (sql, params) of the posts `post_ids` that are visible, with what a hit shows.

    Rows are `post_fields` of the post, its series' title and slug, its document's text and
    formulas (jsonb read as json, which psycopg decodes; Django leaves raw jsonb as text) and
    its tags as a json list of [id, name, slug] by name. Visibility is checked again, as it is
    at every statement: a post unpublished since the ranking is left out.
    """
    quote = database().ops.quote_name
    post_columns = ", ".join(f"p.{quote(name)}" for name in post_fields)
    statement = f"""
        SELECT {post_columns}, series.title, series.slug, d.text, d.formulas::json, (
            SELECT json_agg(json_build_array(tag.id, tag.name, tag.slug) ORDER BY tag.name)
            FROM {table(TaggedPost)} AS tagged JOIN {table(Tag)} AS tag ON tag.id = tagged.tag_id
            WHERE tagged.content_object_id = p.id
        )
        FROM {table(Post)} AS p
        JOIN {table(SearchDocument)} AS d ON d.post_id = p.id
        LEFT JOIN {table(Series)} AS series ON series.id = p.series_id
        WHERE p.id = ANY(%(post_ids)s) AND {VISIBLE}
    """  # noqa: S608 - quoted names only
    return statement, {"post_ids": list(post_ids)}


def correction_lookup(words, pinyin_keys):
    """Return (sql, params) of what the vocabulary offers for a query that found nothing.

    Rows are ("spelling", a word of `words` the vocabulary lacks, its most similar word there,
    that word's document count), by trigram similarity through the vocabulary's trigram index
    (`%%` is pg_trgm's similarity operator, escaped), and ("pinyin", a key of `pinyin_keys`,
    a word spelt so, its document count) for every word of that pinyin.
    """
    vocabulary = table(VocabularyWord)
    statement = f"""
        SELECT 'spelling', typed.word, best.word, best.documents
        FROM unnest(%(words)s::text[]) AS typed(word)
        CROSS JOIN LATERAL (
            SELECT known.word, known.documents FROM {vocabulary} AS known
            WHERE known.word %% typed.word
            ORDER BY similarity(known.word, typed.word) DESC, known.documents DESC, known.word
            LIMIT 1
        ) AS best
        WHERE NOT EXISTS (SELECT 1 FROM {vocabulary} AS exact WHERE exact.word = typed.word)
        UNION ALL
        SELECT 'pinyin', known.pinyin, known.word, known.documents FROM {vocabulary} AS known
        WHERE known.pinyin = ANY(%(pinyin_keys)s::text[]) AND known.pinyin <> ''
    """  # noqa: S608 - quoted names only
    return statement, {"words": list(words), "pinyin_keys": list(pinyin_keys)}


def related(post_id, *, limit, lexemes, pool):
    """Return (sql, params) of up to `limit` visible posts related to post `post_id`, best first.

    Rows are (id, slug, title, published_at). Two pools of at most `pool` candidates each,
    never the post itself: posts sharing its tags or series (by how many tags, then recency;
    no vector read), and the most recent posts holding two of its six most distinctive
    lexemes (the rarest in the vocabulary for how often the post uses them: tf × idf). Only
    the pools' vectors are read, ranked against its `lexemes` most distinctive lexemes. Each
    scores a point per shared tag, one and a half for the same series, plus its
    text's rank against those lexemes scaled to at most two: two shared tags (or a tag and
    the series) outweigh any text, while the text that shares the most words beats a post
    that shares one common tag and nothing else.
    """
    documents, vocabulary = table(SearchDocument), table(VocabularyWord)
    statement = f"""
        WITH source AS MATERIALIZED (
            SELECT d.post_id, d.vector, d.series_id, d.tag_ids FROM {documents} AS d
            WHERE d.post_id = %(post_id)s
        ),
        size AS (
            SELECT GREATEST(reltuples, 1) AS documents FROM pg_class
            WHERE oid = '{SearchDocument._meta.db_table}'::regclass
        ),
        distinctive AS (
            SELECT entry.lexeme, row_number() OVER (
                -- tf × idf; the table's size is the planner's estimate (-1 before the first
                -- ANALYZE, hence GREATEST): any size keeps the rarer lexeme first.
                ORDER BY COALESCE(array_length(entry.positions, 1), 1)
                    * ln(1 + (SELECT documents FROM size) / known.documents) DESC, entry.lexeme
            ) AS place,
            '''' || replace(replace(entry.lexeme, '\\', '\\\\'), '''', '''''') || '''' AS quoted
            FROM source, unnest(source.vector) AS entry
            JOIN {vocabulary} AS known ON known.word = entry.lexeme
            -- Shared with another post, and not so common that it says nothing.
            WHERE known.documents BETWEEN 2 AND GREATEST((SELECT documents FROM size) / 20, 50)
                AND char_length(entry.lexeme) >= 2
            ORDER BY place LIMIT %(lexemes)s
        ),
        wanted AS (SELECT string_agg(quoted, ' | ')::tsquery AS query FROM distinctive),
        -- Two of the six most distinctive together: an index lookup that finds posts on the
        -- same subject without reading a vector (by date, not rank, so that only the pool's
        -- vectors are read, when scored).
        wanted_together AS (
            SELECT string_agg('(' || first.quoted || ' & ' || second.quoted || ')', ' | ')::tsquery AS query
            FROM distinctive AS first JOIN distinctive AS second
                ON first.place < second.place AND second.place <= 6
        ),
        by_words AS (
            SELECT d.post_id FROM {documents} AS d, wanted_together
            WHERE d.vector @@ wanted_together.query AND {VISIBLE} AND d.post_id <> %(post_id)s
            ORDER BY d.published_at DESC, d.post_id DESC LIMIT %(pool)s
        ),
        by_choice AS (
            SELECT d.post_id FROM {documents} AS d, source
            WHERE (d.tag_ids && source.tag_ids OR d.series_id = source.series_id)
                AND {VISIBLE} AND d.post_id <> %(post_id)s
            ORDER BY
                cardinality(ARRAY(SELECT unnest(d.tag_ids) INTERSECT SELECT unnest(source.tag_ids))) DESC,
                d.published_at DESC, d.post_id DESC
            LIMIT %(pool)s
        ),
        scored AS (
            SELECT d.post_id,
                cardinality(ARRAY(SELECT unnest(d.tag_ids) INTERSECT SELECT unnest(source.tag_ids)))
                + CASE WHEN d.series_id = source.series_id THEN 1.5 ELSE 0 END
                + COALESCE(ts_rank(d.vector, wanted.query), 0) AS rank_and_choice,
                COALESCE(ts_rank(d.vector, wanted.query), 0) AS text_rank,
                d.published_at
            FROM {documents} AS d CROSS JOIN source LEFT JOIN wanted ON TRUE
            WHERE d.post_id IN (SELECT post_id FROM by_words UNION SELECT post_id FROM by_choice)
                AND {VISIBLE}
        ),
        best AS (
            SELECT post_id, rank_and_choice - text_rank
                + 2 * text_rank / GREATEST((SELECT max(text_rank) FROM scored), 1e-9) AS score, published_at
            FROM scored ORDER BY score DESC, published_at DESC, post_id DESC LIMIT %(limit)s
        )
        SELECT p.id, p.slug, p.title, p.published_at FROM best
        JOIN {table(Post)} AS p ON p.id = best.post_id
        ORDER BY best.score DESC, best.published_at DESC, best.post_id DESC
    """  # noqa: S608 - quoted names and the documents' table name only
    return statement, {"post_id": post_id, "limit": limit, "lexemes": lexemes, "pool": pool}
