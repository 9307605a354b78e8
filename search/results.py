"""Running a search: ranked hits with snippets, the total, facets and suggestions.

Visibility is never the index's business: every query starts from `Post.objects.published()`
and joins the search documents, so a post that was unpublished a second ago is not found even
before its document is removed, and a page costs the same fixed number of queries however many
posts match.
"""

import math
import re
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchQueryField
from django.db import connection, transaction
from django.db.models import BooleanField, F, FloatField, Func, Value

from blog.models import Post, Series, Tag

from .models import SearchDocument
from .snippets import highlight, make_snippet

RESULTS_PER_PAGE = 10
MAX_PAGE = 40
FACET_SIZE = 12
# Up to this many matches every one is ranked; beyond it, a pool of likely winners is (see
# _summary_statement): recent heading matches, and recent matches enough for every page a
# reader can reach.
RANK_ALL_LIMIT = 600
HEADING_POOL = 200
RECENT_POOL = MAX_PAGE * RESULTS_PER_PAGE
# ts_rank_cd weights in Postgres order {D, C, B, A}: code identifiers, body, tags/series, title.
RANK_WEIGHTS = [0.05, 0.2, 0.4, 1.0]
# 1: divide by 1 + log(document length), so long posts do not win by length alone.
RANK_NORMALIZATION = 1
# A post published today scores up to 25% higher than an old one; the bonus halves at 180 days.
RECENCY_BOOST = 0.25
RECENCY_HALF_LIFE_DAYS = 180
SLUG = re.compile(r"[-a-zA-Z0-9_]{1,255}")
USERNAME = re.compile(r"[\w.@+-]{1,150}")


class TsQuery(Func):
    """A tsquery literal built by search.query, cast without any text search configuration."""

    template = "%(expressions)s::tsquery"
    output_field = SearchQueryField()

    def __init__(self, literal):
        super().__init__(Value(literal))


class InArray(Func):
    """`column = ANY(%s)` with the ids as one array parameter, not hundreds of placeholders."""

    output_field = BooleanField()

    def __init__(self, expression, values):
        super().__init__(expression)
        self.values = list(values)

    def as_sql(self, compiler, connection, **extra_context):
        column, params = compiler.compile(self.get_source_expressions()[0])
        return f"{column} = ANY(%s)", (*params, self.values)


class Matches(Func):
    """`vector @@ query` as a boolean expression usable in filter() and Q()."""

    arg_joiner = " @@ "
    template = "(%(expressions)s)"
    output_field = BooleanField()


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

    def apply(self, posts):
        """Return `posts` narrowed by these filters."""
        if self.invalid:
            return posts.none()
        if self.tag:
            posts = posts.filter(tags__slug=self.tag)
        if self.series:
            posts = posts.filter(series__slug=self.series)
        if self.author:
            posts = posts.filter(author__username=self.author)
        if self.year:
            posts = posts.filter(published_at__year=self.year)
        return posts

    def as_params(self):
        """Return the filters as query parameters, leaving out those not set."""
        params = {"tag": self.tag, "series": self.series, "author": self.author, "year": self.year}
        return {name: value for name, value in params.items() if value}


@dataclass
class SearchHit:
    """One found post, its score, and its title and snippet as safe HTML with <mark>s."""

    post: Post
    score: float
    title_html: str
    snippet_html: str


@dataclass
class Facet:
    """A tag or series and how many of the matching posts carry it."""

    name: str
    slug: str
    count: int


@dataclass
class Suggestion:
    """Part of a query that finds posts on its own, offered when the whole query finds none."""

    text: str
    count: int


@dataclass
class SearchResults:
    """A page of results and everything the page shows around it."""

    hits: list
    total: int
    page: int
    per_page: int
    reachable: int = 0
    tag_facets: list = field(default_factory=list)
    series_facets: list = field(default_factory=list)
    suggestions: list = field(default_factory=list)
    total_without_filters: int | None = None

    @property
    def pages(self):
        """Number of pages a reader can reach."""
        return min(MAX_PAGE, math.ceil(self.reachable / self.per_page))


def visible_posts(filters):
    """The posts a search may return: published ones, narrowed by the filters."""
    return filters.apply(Post.objects.published())


def matching_documents(tsquery, filters):
    """Search documents matching the tsquery literal whose posts are visible and pass the filters."""
    return SearchDocument.objects.filter(
        Matches(F("vector"), TsQuery(tsquery)), post__in=visible_posts(filters).values("pk")
    )


class Score(Func):
    """The relevance of a document: weighted cover density, times a gentle recency factor."""

    template = (
        "(ts_rank_cd(%(weights)s::float4[], %(vector)s, %(query)s, %(normalization)s)"
        " * (1.0 + %(boost)s / (1.0 + GREATEST("
        "EXTRACT(EPOCH FROM (NOW() - COALESCE(%(published_at)s, NOW()))), 0) / %(half_life)s)))"
    )
    output_field = FloatField()

    def __init__(self, tsquery):
        super().__init__(F("vector"), TsQuery(tsquery), F("published_at"))

    def as_sql(self, compiler, connection, **extra_context):
        (vector, vector_params), (query, query_params), (published_at, published_params) = (
            compiler.compile(expression) for expression in self.get_source_expressions()
        )
        sql = self.template % {
            "weights": "%s",
            "vector": vector,
            "query": query,
            "normalization": "%s",
            "boost": "%s",
            "published_at": published_at,
            "half_life": "%s",
        }
        weights = "{" + ",".join(str(weight) for weight in RANK_WEIGHTS) + "}"
        params = (
            weights, *vector_params, *query_params, RANK_NORMALIZATION, RECENCY_BOOST,
            *published_params, RECENCY_HALF_LIFE_DAYS * 86400.0,
        )  # fmt: skip
        return sql, params


def _summary_statement(documents, query):
    """Return (sql, params) of the statement that counts, facets and picks what to rank.

    The matches, which go through Post.objects.published() (see matching_documents), are
    collected once, and give the total and the facet counts. Ranking reads each document's
    whole vector, so up to RANK_ALL_LIMIT matches all are candidates; beyond it, only the posts
    that can reach the pages a reader may open: the most recent matches, and the most recent
    of those whose title and tags alone match the query. These come from the small heading
    vector's index without reading any vector; the ranking query checks them again against
    the whole query, visibility and filters.

    Rows are (kind, post id, name, slug, count): kind 0 is the total, 1 a tag facet, 2 a
    series facet, 3 a candidate for ranking.
    """
    matches, matches_params = documents.values(
        "post_id", "published_at", "series_id", "tag_ids"
    ).query.sql_with_params()
    quote = connection.ops.quote_name
    sql = f"""
        WITH matches AS MATERIALIZED ({matches}),
        total AS (SELECT count(*) AS count FROM matches)
        SELECT 0, NULL::bigint, '', '', count FROM total
        UNION ALL
        SELECT 1, NULL, tag.name, tag.slug, counted.count FROM (
            SELECT tag_id, count(*) AS count FROM matches, unnest(matches.tag_ids) AS tag_id
            GROUP BY tag_id ORDER BY count DESC, tag_id LIMIT %s
        ) AS counted JOIN {quote(Tag._meta.db_table)} AS tag ON tag.id = counted.tag_id
        UNION ALL
        SELECT 2, NULL, series.title, series.slug, counted.count FROM (
            SELECT series_id, count(*) AS count FROM matches WHERE series_id IS NOT NULL
            GROUP BY series_id ORDER BY count DESC, series_id LIMIT %s
        ) AS counted JOIN {quote(Series._meta.db_table)} AS series ON series.id = counted.series_id
        UNION ALL
        SELECT 3, post_id, '', '', 0 FROM matches WHERE (SELECT count FROM total) <= %s
        UNION ALL (
            SELECT 3, post_id, '', '', 0 FROM matches WHERE (SELECT count FROM total) > %s
            ORDER BY published_at DESC, post_id DESC LIMIT %s
        )
        UNION ALL (
            SELECT 3, document.post_id, '', '', 0 FROM {quote(SearchDocument._meta.db_table)} AS document
            WHERE (SELECT count FROM total) > %s AND document.head @@ %s::tsquery
            ORDER BY document.published_at DESC LIMIT %s
        )
    """  # noqa: S608 - the only interpolations are the ORM's own SQL and quoted table names
    params = (
        *matches_params,
        FACET_SIZE, FACET_SIZE,
        RANK_ALL_LIMIT,
        RANK_ALL_LIMIT, RECENT_POOL,
        RANK_ALL_LIMIT, query.tsquery, HEADING_POOL,
    )  # fmt: skip
    return sql, params


def match_summary(documents, query):
    """Return (total, tag facets, series facets, ids of the posts to rank) of `documents`."""
    sql, params = _summary_statement(documents, query)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    total = 0
    facets = {1: [], 2: []}
    candidates = set()
    for kind, post_id, name, slug, count in rows:
        if kind == 0:
            total = count
        elif kind == 3:
            candidates.add(post_id)
        else:
            facets[kind].append(Facet(name, slug, count))
    for kind in facets:
        facets[kind].sort(key=lambda facet: (-facet.count, facet.name))
    return total, facets[1], facets[2], candidates


def suggestions_for(query, filters):
    """When nothing matches: counts for each part of the query alone, and without the filters.

    One query, run only on the empty-result page; each count is a separate index scan, so no
    vector is read however common a part is.
    """
    counted = []
    if len(query.groups) > 1:
        counted.extend((group.label, group.tsquery, Filters()) for group in query.groups)
    if filters.active:
        counted.append((None, query.tsquery, Filters()))
    if not counted:
        return [], None
    selects, params = [], []
    for _, tsquery, unfiltered in counted:
        sql, sql_params = matching_documents(tsquery, unfiltered).values("post_id").query.sql_with_params()
        selects.append(f"(SELECT count(*) FROM ({sql}) AS matches)")  # noqa: S608 - the ORM's own SQL
        params.extend(sql_params)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(selects), params)
        counts = cursor.fetchone()
    suggestions = [
        Suggestion(label, count)
        for (label, _, _), count in zip(counted, counts, strict=True)
        if label and count
    ]
    suggestions.sort(key=lambda suggestion: -suggestion.count)
    return suggestions, (counts[-1] if filters.active else None)


def _plan_for_text_search(cursor, tsquery):
    """Steer the planner of this transaction's queries towards the GIN indexes.

    Postgres charges nothing for detoasting a tsvector, so for a common word it prefers a
    sequential scan that evaluates @@ on every document (hundreds of milliseconds at 100,000
    posts) over the bitmap index scan that never reads a vector (milliseconds). It also
    overestimates GIN prefix searches (``'检':*``) and would rather filter every document
    through the primary key index, so those run without plain index scans (which costs the
    visibility join its index-only scan, tens of milliseconds). JIT compilation would cost
    more than these short queries take.
    """
    settings = ["SET LOCAL enable_seqscan = off", "SET LOCAL jit = off"]
    if ":*" in tsquery:
        settings.append("SET LOCAL enable_indexscan = off")
    cursor.execute("; ".join(settings))


def search_posts(query, filters=None, *, page=1, per_page=RESULTS_PER_PAGE):
    """Return SearchResults for a non-empty ParsedQuery: one page of hits, facets, suggestions.

    Costs at most five SQL queries (planner settings, summary, ranking, posts, their tags),
    whatever the number of matches.
    """
    filters = filters or Filters()
    page = max(1, min(page, MAX_PAGE))
    if filters.invalid:
        return SearchResults(hits=[], total=0, page=1, per_page=per_page)
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        _plan_for_text_search(cursor, query.tsquery)
        return _search(query, filters, page, per_page)


def _search(query, filters, page, per_page):
    documents = matching_documents(query.tsquery, filters)
    total, tags, series, candidates = match_summary(documents, query)
    if not total:
        suggestions, total_without_filters = suggestions_for(query, filters)
        return SearchResults(
            hits=[],
            total=0,
            page=1,
            per_page=per_page,
            suggestions=suggestions,
            total_without_filters=total_without_filters,
        )
    offset = (page - 1) * per_page
    ranked = list(
        documents.filter(InArray(F("post_id"), sorted(candidates)))
        .annotate(score=Score(query.tsquery))
        .order_by("-score", "-published_at", "-post_id")
        .values_list("post_id", "score")[offset : offset + per_page]
    )
    posts = (
        Post.objects.published()
        .filter(pk__in=[post_id for post_id, _ in ranked])
        .select_related("author", "series", "search_document")
        .defer("body", "body_html", "search_document__vector", "search_document__head")
        .prefetch_related("tags")
        .in_bulk()
    )
    hits = [
        SearchHit(
            post=posts[post_id],
            score=post_score,
            title_html=highlight(posts[post_id].title, query.terms),
            snippet_html=make_snippet(
                posts[post_id].search_document.text or posts[post_id].excerpt, query.terms
            ),
        )
        for post_id, post_score in ranked
        if post_id in posts
    ]
    return SearchResults(
        hits=hits,
        total=total,
        page=page,
        per_page=per_page,
        reachable=total if total <= RANK_ALL_LIMIT else RECENT_POOL,
        tag_facets=tags,
        series_facets=series,
    )
