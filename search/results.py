"""Running a search: ranked hits with snippets, the total, facets and suggestions.

A document is found only if its post is visible now, as `Post.objects.published()` has it:
its publication time, which the database keeps NULL while the post is a draft whatever
changed it (see search.models), has come. So a post that was unpublished a second ago is not
found even before its document is removed, and a scheduled post is found the moment its
time comes. A page costs the same fixed number of queries however many posts match, and no
step reads every match of a very large result set: those are counted from a sample of one
document in SAMPLE_RATE, and shown as estimates.
"""

import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from blog.models import Post, Series, Tag, TaggedPost

from . import sql
from .models import SAMPLE_RATE, SPARSE_SAMPLE_RATE, SearchDocument
from .snippets import highlight, make_snippet

RESULTS_PER_PAGE = 10
# What a result shows of its post; its other fields are deferred (see load_hits).
HIT_POST_FIELDS = ("id", "slug", "title", "published_at", "excerpt_text", "series_id")
# Readers may page through the best 200 results; the ranking pools below are sized for that.
# (At 40 pages a larger pool to rank put the bench's p95 at ~50 ms instead of ~41.)
MAX_PAGE = 20
FACET_SIZE = 12
# Up to this many matches every one is ranked; beyond it, a pool of likely winners is (see
# _summary_statement): recent heading matches, and recent matches enough for every page a
# reader can reach.
RANK_ALL_LIMIT = 400
HEADING_POOL = 150
RECENT_POOL = MAX_PAGE * RESULTS_PER_PAGE
# With this many matches in the sample (about SAMPLE_RATE times as many in all, 4,000 of the
# bench's 100,000 posts), the total and the facet counts are estimated from the sample: the
# total's standard error is then under 5%, that of a facet of 800 posts or more under 10%,
# and the page says "about". Below it every match is counted, at ~2.5 µs a match.
SAMPLE_MIN = 500
# The same from the sparse sample, which then stands for 16,000 matches or more: the largest
# sets are counted from a quarter as many rows, as precisely.
SPARSE_SAMPLE_MIN = SAMPLE_MIN
# The most recent RECENT_POOL matches of an estimated result set are found after the date of
# this sample match, which leaves about twice as many matches to choose from as needed.
RECENT_CUTOFF = 2 * RECENT_POOL // SAMPLE_RATE
# The most recent heading matches of an estimated set are looked for after the date of this
# sample match first: a window of about 6,400 matches, where ~3% of them with a matching
# title or tag already fill the heading pool. Where they do not, all heading matches are read.
HEADING_CUTOFF = 8 * RECENT_CUTOFF
# The window pays only when it is a small part of the matches: a quarter or less.
HEADING_WINDOW_MIN_TOTAL = 4 * HEADING_CUTOFF * SAMPLE_RATE
# ts_rank_cd weights in Postgres order {D, C, B, A}: code identifiers, body, tags/series, title.
RANK_WEIGHTS = [0.05, 0.2, 0.4, 1.0]
# 1: divide by 1 + log(document length), so long posts do not win by length alone.
RANK_NORMALIZATION = 1
# A post published today scores up to 25% higher than an old one; the bonus halves at 180 days.
RECENCY_BOOST = 0.25
RECENCY_HALF_LIFE_DAYS = 180
SLUG = re.compile(r"[-a-zA-Z0-9_]{1,255}")
USERNAME = re.compile(r"[\w.@+-]{1,150}")


@dataclass(frozen=True)
class Filters:
    """Optional narrowing of a search; values that cannot name anything match nothing."""

    tag: str = ""
    series: str = ""
    author: str = ""
    year: int | None = None
    invalid: bool = False

    @classmethod
    def from_params(cls, params):
        """Return the filters in a request's query parameters, validated."""
        tag = params.get("tag", "").strip()
        series = params.get("series", "").strip()
        author = params.get("author", "").strip()
        year_text = params.get("year", "").strip()
        invalid = bool(
            (tag and not SLUG.fullmatch(tag))
            or (series and not SLUG.fullmatch(series))
            or (author and not USERNAME.fullmatch(author))
            or (
                year_text
                and not (year_text.isascii() and year_text.isdigit() and 1 <= int(year_text) <= 9999)
            )
        )
        if invalid:
            return cls(invalid=True)
        return cls(tag=tag, series=series, author=author, year=int(year_text) if year_text else None)

    @property
    def active(self):
        """True when any filter narrows the search."""
        return bool(self.tag or self.series or self.author or self.year or self.invalid)

    def apply(self, scan, since=None):
        """Return the sql.Scan `scan` narrowed by these filters, and to posts published since `since`.

        Tag, series and year are read from the copies the document keeps of its post's fields
        (the same the facets count), so they narrow the GIN index scan itself instead of
        joining the posts. The year and `since` make one span of time: one condition.
        """
        if self.invalid:
            return scan.where("FALSE")
        if self.tag:
            scan = sql.with_tag(scan, self.tag)
        if self.series:
            scan = sql.in_series(scan, self.series)
        if self.author:
            scan = sql.by_author(scan, self.author)
        start, end = (year_start(self.year), year_start(self.year + 1)) if self.year else (None, None)
        if since is not None:
            start = since if start is None else max(start, since)
        return published_between(scan, start, end) if start is not None else scan

    def as_params(self):
        """Return the filters as query parameters, leaving out those not set."""
        params = {"tag": self.tag, "series": self.series, "author": self.author, "year": self.year}
        return {name: value for name, value in params.items() if value}


@dataclass
class SearchHit:
    """One found post, its score, its title and snippet as safe HTML with <mark>s, and its tags.

    Only the post's fields a result shows are loaded (HIT_POST_FIELDS); the others are deferred.
    """

    post: Post
    score: float
    title_html: str
    snippet_html: str
    tags: list = field(default_factory=list)


@dataclass
class Facet:
    """A tag or series and how many of the matching posts carry it (estimated for huge sets)."""

    name: str
    slug: str
    count: int


@dataclass
class Suggestion:
    """Part of a query that finds posts on its own, offered when the whole query finds none."""

    text: str
    count: int
    estimated: bool = False


@dataclass
class SearchResults:
    """A page of results and everything the page shows around it.

    With `estimated`, `total` and the facet counts come from the sample of documents (see
    match_summary): the page says "about".
    """

    hits: list
    total: int
    page: int
    per_page: int
    reachable: int = 0
    tag_facets: list = field(default_factory=list)
    series_facets: list = field(default_factory=list)
    suggestions: list = field(default_factory=list)
    total_without_filters: int | None = None
    estimated: bool = False
    total_without_filters_estimated: bool = False

    @property
    def pages(self):
        """Number of pages a reader can reach."""
        return min(MAX_PAGE, math.ceil(self.reachable / self.per_page))


def year_start(year):
    """Return the first instant of `year` in the site's time zone, as filters by year count it."""
    return datetime(min(year, 9999), 1, 1, tzinfo=timezone.get_current_timezone())


def utc_months(start, end):
    """Return the first days of the UTC months from `start` to `end`, both included."""
    month, last = start.astimezone(UTC).date().replace(day=1), end.astimezone(UTC).date()
    months = []
    while month <= last:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


def published_between(scan, start, end=None):
    """Return the sql.Scan `scan` narrowed to documents published in [start, end).

    Without `end`, since `start` until now: scheduled posts are not found anyway.
    """
    months = utc_months(start, end or timezone.now() + timedelta(days=1))
    return sql.published_in(scan, months, start, end)


def visible_documents(filters, since=None):
    """The sql.Scan of documents of the posts a search may return: published, passing the filters.

    With `since`, only those published since then.
    """
    return filters.apply(sql.visible_scan(), since)


def matching_documents(condition, filters, since=None):
    """The sql.Scan of visible documents meeting a query's Condition and passing the filters."""
    scan = visible_documents(filters, since)
    if condition.vector:
        scan = sql.matching(scan, condition.vector)
    if condition.pairs:
        scan = sql.matching(scan, condition.pairs, "pairs")
    return scan


def estimate(sample_count, rate=SAMPLE_RATE):
    """Return how many matches `sample_count` matches of a one-in-`rate` sample stand for, to two digits."""
    value = sample_count * rate
    digits = max(0, len(str(value)) - 2)
    return round(value, -digits) if digits else value


def score_sql(tsquery):
    """Return (sql, params) of a document's relevance: weighted cover density, times recency.

    A post published today scores up to RECENCY_BOOST more than an old one; the bonus halves
    every RECENCY_HALF_LIFE_DAYS.
    """
    weights = "{" + ",".join(str(weight) for weight in RANK_WEIGHTS) + "}"
    return (
        "(ts_rank_cd(%s::float4[], d.vector, %s::tsquery, %s) * (1.0 + %s / (1.0 + GREATEST("
        "EXTRACT(EPOCH FROM (NOW() - COALESCE(d.published_at, NOW()))), 0) / %s)))",
        (weights, tsquery, RANK_NORMALIZATION, RECENCY_BOOST, RECENCY_HALF_LIFE_DAYS * 86400.0),
    )


def _summary_statement(scan):
    """Return (sql, params) of the statement that counts, facets and picks what to rank.

    The sparse sample's matches are collected first (a small index holds one document in
    SPARSE_SAMPLE_RATE), then, unless there are SPARSE_SAMPLE_MIN of them, the sample's (one
    in SAMPLE_RATE). When either has enough, the result set is huge: that sample gives the
    total and the facet counts, and the date after which the most recent matches lie; no
    other match is read. Otherwise all matches are collected once, for the
    exact total and facets; up to RANK_ALL_LIMIT of them all are candidates for ranking,
    beyond it the most recent ones (the ranking query adds heading matches, see _ranked).

    Rows are (kind, post id, name, slug, count, time): kind 0 is the total, 1 a tag facet, 2
    a series facet, 3 a candidate for ranking, 4 the recency cutoff of an estimated set, 6 the
    wider one its heading pool tries first, and 5, there when the set is estimated, gives the
    rate of the sample it was counted from.
    """
    columns = "d.post_id, d.published_at, d.series_id, d.tag_ids"
    sparse, sparse_params = sql.in_sample(scan, SPARSE_SAMPLE_RATE).select(columns)
    sample, sample_params = sql.in_sample(scan, SAMPLE_RATE).select(columns)
    matches, matches_params = scan.select(columns)
    statement = f"""
        WITH sparse AS MATERIALIZED ({sparse}),
        sparse_enough AS (SELECT count(*) >= %s AS yes FROM sparse),
        sample AS MATERIALIZED (
            SELECT * FROM ({sample}) AS sample WHERE NOT (SELECT yes FROM sparse_enough)
        ),
        estimated AS (SELECT (SELECT yes FROM sparse_enough) OR count(*) >= %s AS yes FROM sample),
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
        SELECT 0, NULL::bigint, '', '', count, NULL::timestamptz FROM total
        UNION ALL
        SELECT 5, NULL, '', '', CASE WHEN (SELECT yes FROM sparse_enough) THEN %s ELSE %s END, NULL
        FROM estimated WHERE yes
        UNION ALL
        SELECT 1, NULL, tag.name, tag.slug, counted.count, NULL FROM (
            SELECT tag_id, count(*) AS count FROM (SELECT unnest(tag_ids) AS tag_id FROM counted) AS tags
            GROUP BY tag_id ORDER BY count DESC, tag_id LIMIT %s
        ) AS counted JOIN {sql.table(Tag)} AS tag ON tag.id = counted.tag_id
        UNION ALL
        SELECT 2, NULL, series.title, series.slug, counted.count, NULL FROM (
            SELECT series_id, count(*) AS count FROM counted WHERE series_id IS NOT NULL
            GROUP BY series_id ORDER BY count DESC, series_id LIMIT %s
        ) AS counted JOIN {sql.table(Series)} AS series ON series.id = counted.series_id
        UNION ALL
        SELECT 3, post_id, '', '', 0, NULL FROM matches WHERE (SELECT count FROM total) <= %s
        UNION ALL (
            SELECT 3, post_id, '', '', 0, NULL FROM matches WHERE (SELECT count FROM total) > %s
            ORDER BY published_at DESC, post_id DESC LIMIT %s
        )
        UNION ALL (
            SELECT 4, NULL, '', '', 0, published_at FROM chosen WHERE (SELECT yes FROM estimated)
            ORDER BY published_at DESC NULLS LAST, post_id DESC
            OFFSET (SELECT CASE WHEN yes THEN %s ELSE %s END FROM sparse_enough) LIMIT 1
        )
        UNION ALL (
            SELECT 6, NULL, '', '', 0, published_at FROM chosen WHERE (SELECT yes FROM estimated)
            ORDER BY published_at DESC NULLS LAST, post_id DESC
            OFFSET (SELECT CASE WHEN yes THEN %s ELSE %s END FROM sparse_enough) LIMIT 1
        )
    """  # noqa: S608 - the only interpolations are the ORM's own SQL and quoted table names
    sparse_cutoff = max(1, RECENT_CUTOFF * SAMPLE_RATE // SPARSE_SAMPLE_RATE)
    params = (
        *sparse_params,
        SPARSE_SAMPLE_MIN,
        *sample_params,
        SAMPLE_MIN,
        *matches_params,
        SPARSE_SAMPLE_RATE, SAMPLE_RATE,
        FACET_SIZE, FACET_SIZE,
        RANK_ALL_LIMIT,
        RANK_ALL_LIMIT, RECENT_POOL,
        sparse_cutoff - 1, RECENT_CUTOFF - 1,
        max(1, HEADING_CUTOFF * SAMPLE_RATE // SPARSE_SAMPLE_RATE) - 1, HEADING_CUTOFF - 1,
    )  # fmt: skip
    return statement, params


@dataclass
class MatchSummary:
    """What the summary statement found: the total, facets, and where ranking should look."""

    total: int
    estimated: bool
    tag_facets: list
    series_facets: list
    candidates: set
    recent_after: object = None
    heading_after: object = None


def match_summary(scan):
    """Return the MatchSummary of the documents of `scan` (see matching_documents)."""
    statement, params = _summary_statement(scan)
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        rows = cursor.fetchall()
    total = 0
    facets = {1: [], 2: []}
    candidates = set()
    recent_after = heading_after = None
    estimated, rate = False, SAMPLE_RATE
    for kind, post_id, name, slug, count, moment in rows:
        if kind == 0:
            total = count
        elif kind == 3:
            candidates.add(post_id)
        elif kind == 4:
            recent_after = moment
        elif kind == 6:
            heading_after = moment
        elif kind == 5:
            estimated, rate = True, count
        else:
            facets[kind].append(Facet(name, slug, count))
    if estimated:
        total = estimate(total, rate)
        for facet in facets[1] + facets[2]:
            facet.count = estimate(facet.count, rate)
    for kind in facets:
        facets[kind].sort(key=lambda facet: (-facet.count, facet.name))
    return MatchSummary(total, estimated, facets[1], facets[2], candidates, recent_after, heading_after)


def _count_sql(scan):
    """Return (sql, params) of a scalar expression counting the documents of `scan`: exact, or estimated.

    The sample is counted first; the full count runs only when the sample is small, as its
    subquery is evaluated lazily. The result is negated when it is an estimate.
    """
    sample, sample_params = sql.in_sample(scan, SAMPLE_RATE).select("d.post_id")
    full, full_params = scan.select("d.post_id")
    statement = (
        f"(SELECT CASE WHEN sampled.count >= %s THEN -sampled.count"  # noqa: S608 - built from sql.Scan
        f" ELSE (SELECT count(*) FROM ({full}) AS matches) END"
        f" FROM (SELECT count(*) AS count FROM ({sample}) AS sample) AS sampled)"
    )
    return statement, (SAMPLE_MIN, *full_params, *sample_params)


def suggestions_for(query, filters):
    """When nothing matches: counts for each part of the query alone, and without the filters.

    One query, run only on the empty-result page; each count is an index scan of the sample,
    and of everything only when the sample is small, so no vector is read however common a
    part is. Returns (suggestions, total without filters, whether that total is estimated).
    """
    counted = []
    if len(query.groups) > 1:
        counted.extend((group.label, group.match, Filters()) for group in query.groups)
    if filters.active:
        counted.append((None, query.match, Filters()))
    if not counted:
        return [], None, False
    selects, params = [], []
    for _, condition, unfiltered in counted:
        count_sql, count_params = _count_sql(matching_documents(condition, unfiltered))
        selects.append(count_sql)
        params.extend(count_params)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(selects), params)
        counts = [(estimate(-count), True) if count < 0 else (count, False) for count in cursor.fetchone()]
    suggestions = [
        Suggestion(label, count, estimated)
        for (label, _, _), (count, estimated) in zip(counted, counts, strict=True)
        if label and count
    ]
    suggestions.sort(key=lambda suggestion: -suggestion.count)
    if not filters.active:
        return suggestions, None, False
    return suggestions, counts[-1][0], counts[-1][1]


def _plan_for_text_search(cursor, tsquery):
    """Steer the planner of this transaction's queries towards the GIN indexes.

    Postgres charges nothing for detoasting a tsvector, so for a common word it prefers a
    sequential scan that evaluates @@ on every document (hundreds of milliseconds at 100,000
    posts) over the bitmap index scan that never reads a vector (milliseconds). For the same
    reason no other index on the documents may select rows that @@ then filters: the copied
    fields live in the vector's GIN index (see SearchDocument.Meta). JIT compilation would
    cost more than these short queries take.
    """
    settings = ["SET LOCAL enable_seqscan = off", "SET LOCAL jit = off"]
    cursor.execute("; ".join(settings))


def search_posts(query, filters=None, *, page=1, per_page=RESULTS_PER_PAGE):
    """Return SearchResults for a non-empty ParsedQuery: one page of hits, facets, suggestions.

    Costs at most four SQL queries (planner settings, summary, ranking, the hits' posts),
    whatever the number of matches.
    """
    filters = filters or Filters()
    page = max(1, min(page, MAX_PAGE))
    if filters.invalid:
        return SearchResults(hits=[], total=0, page=1, per_page=per_page)
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        _plan_for_text_search(cursor, query.tsquery)
        return _search(query, filters, page, per_page)


def _most_recent(scan, limit):
    """Return (sql, params) selecting the post ids of the `limit` most recent documents of `scan`.

    The documents are collected first (fenced in a CTE) and then sorted: left to itself, the
    planner may prefer a scan in date order that checks @@ on every document it meets,
    reading a whole vector each time, where the bitmap scans of the GIN indexes read none.
    """
    pool, params = scan.select("d.post_id, d.published_at")
    return (
        f"(WITH pool AS MATERIALIZED ({pool})"  # noqa: S608 - built from sql.Scan
        " SELECT post_id FROM pool ORDER BY published_at DESC, post_id DESC LIMIT %s)",
        (*params, limit),
    )


def _most_recent_trying_since(recent_scan, scan, limit):
    """Return (sql, params) like _most_recent, reading only `recent_scan` if it has enough.

    `recent_scan` is `scan` narrowed to documents published since some moment: when at least
    `limit` of them were, the most recent `limit` are among them; otherwise all documents of
    `scan` are read, so the answer is the same either way.
    """
    recent, recent_params = recent_scan.select("d.post_id, d.published_at")
    every, every_params = scan.select("d.post_id, d.published_at")
    statement = (
        f"(WITH since AS MATERIALIZED ({recent}),"  # noqa: S608 - built from sql.Scan
        " enough AS (SELECT count(*) >= %s AS yes FROM since),"
        f" every AS MATERIALIZED (SELECT * FROM ({every}) AS every WHERE NOT (SELECT yes FROM enough))"
        " SELECT post_id FROM ("
        "SELECT * FROM since WHERE (SELECT yes FROM enough) UNION ALL SELECT * FROM every"
        ") AS pool ORDER BY published_at DESC, post_id DESC LIMIT %s)"
    )
    return statement, (*recent_params, limit, *every_params, limit)


def _ranked(query, filters, summary, offset, limit):
    """Return [(post id, score)] of one page of the summary's candidates, best first.

    Beyond RANK_ALL_LIMIT matches the candidates are the most recent matches (listed by the
    summary, or found after its cutoff date when the set is estimated) and the most recent
    posts whose title and tags alone match, from the small heading vector's index. Candidates
    are matches already, except heading matches of a query with exclusions, whose body may
    hold an excluded word: only then is the whole vector checked again.
    """
    pools, params = [], []
    if summary.candidates:
        pools.append("SELECT unnest(%s::bigint[])")
        params.append(sorted(summary.candidates))
    if summary.recent_after is not None:
        recent = matching_documents(query.match, filters, since=summary.recent_after)
        pool, pool_params = _most_recent(recent, RECENT_POOL)
        pools.append(pool)
        params.extend(pool_params)
    if summary.total > RANK_ALL_LIMIT:
        heading = sql.matching(visible_documents(filters), query.tsquery, "head")
        if summary.heading_after is None or summary.total < HEADING_WINDOW_MIN_TOTAL:
            pool, pool_params = _most_recent(heading, HEADING_POOL)
        else:
            since = visible_documents(filters, since=summary.heading_after)
            recent = sql.matching(since, query.tsquery, "head")
            pool, pool_params = _most_recent_trying_since(recent, heading, HEADING_POOL)
        pools.append(pool)
        params.extend(pool_params)
    ranked = sql.Scan().where(f"d.post_id IN ({' UNION '.join(pools)})", *params)
    if query.has_exclusions:
        ranked = sql.matching(ranked, query.tsquery)
    score, score_params = score_sql(query.tsquery)
    select, select_params = ranked.select(f"d.post_id, {score} AS score")
    with connection.cursor() as cursor:
        cursor.execute(
            f"{select} ORDER BY score DESC, d.published_at DESC, d.post_id DESC LIMIT %s OFFSET %s",
            (*score_params, *select_params, limit, offset),
        )
        return cursor.fetchall()


def _loaded(model, values):
    """An instance of `model` as the database gave it, with only `values` (name: value) loaded.

    The other fields are deferred, loaded when read, as with QuerySet.only().
    """
    values = dict(values)
    names = [field.attname for field in model._meta.concrete_fields if field.attname in values]
    return model.from_db(connection.alias, names, [values[name] for name in names])


def load_hits(post_ids):
    """Return {post id: (Post, its document's text and formulas, [Tag, …] by name)} of the visible `post_ids`.

    One statement (jsonb read as json, which psycopg decodes; Django leaves raw jsonb as text);
    each post comes with its series, and holds only HIT_POST_FIELDS, the rest
    deferred as with QuerySet.only(). Visibility is checked again, as it is at every
    statement: a post unpublished since the ranking is left out.
    """
    post_columns = ", ".join(f"p.{connection.ops.quote_name(name)}" for name in HIT_POST_FIELDS)
    statement = f"""
        SELECT {post_columns}, series.title, series.slug, d.text, d.formulas::json, (
            SELECT json_agg(json_build_array(tag.id, tag.name, tag.slug) ORDER BY tag.name)
            FROM {sql.table(TaggedPost)} AS tagged JOIN {sql.table(Tag)} AS tag ON tag.id = tagged.tag_id
            WHERE tagged.content_object_id = p.id
        )
        FROM {sql.table(Post)} AS p
        JOIN {sql.table(SearchDocument)} AS d ON d.post_id = p.id
        LEFT JOIN {sql.table(Series)} AS series ON series.id = p.series_id
        WHERE p.id = ANY(%s) AND {sql.VISIBLE}
    """  # noqa: S608 - quoted names only
    with connection.cursor() as cursor:
        cursor.execute(statement, [list(post_ids)])
        rows = cursor.fetchall()
    hits = {}
    for row in rows:
        post = _loaded(Post, zip(HIT_POST_FIELDS, row, strict=False))
        series_title, series_slug, text, formulas, tags = row[len(HIT_POST_FIELDS) :]
        if post.series_id is not None:
            post.series = _loaded(Series, {"id": post.series_id, "title": series_title, "slug": series_slug})
        tags = [_loaded(Tag, {"id": pk, "name": name, "slug": slug}) for pk, name, slug in tags or ()]
        hits[post.pk] = (post, (text, formulas), tags)
    return hits


def _search(query, filters, page, per_page):
    summary = match_summary(matching_documents(query.match, filters))
    if not summary.total:
        suggestions, total_without_filters, without_filters_estimated = suggestions_for(query, filters)
        return SearchResults(
            hits=[],
            total=0,
            page=1,
            per_page=per_page,
            suggestions=suggestions,
            total_without_filters=total_without_filters,
            total_without_filters_estimated=without_filters_estimated,
        )
    ranked = _ranked(query, filters, summary, (page - 1) * per_page, per_page)
    loaded = load_hits([post_id for post_id, _ in ranked])
    hits = []
    for post_id, post_score in ranked:
        if post_id not in loaded:
            continue
        post, (text, formulas), tags = loaded[post_id]
        hits.append(
            SearchHit(
                post=post,
                score=post_score,
                title_html=highlight(post.title, query.terms),
                # A post with no body text (a summary over a code listing) shows its summary.
                snippet_html=make_snippet(text, query.terms, formulas=formulas)
                if text
                else make_snippet(post.excerpt_text, query.terms),
                tags=tags,
            )
        )
    return SearchResults(
        hits=hits,
        total=summary.total,
        page=page,
        per_page=per_page,
        reachable=summary.total if summary.total <= RANK_ALL_LIMIT else RECENT_POOL,
        tag_facets=summary.tag_facets,
        series_facets=summary.series_facets,
        estimated=summary.estimated,
    )
