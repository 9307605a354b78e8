"""Running a search: ranked hits with snippets, the total, facets and suggestions.

A document is found only if its post is visible now, as `Post.objects.published()` has it:
its publication time, which the database keeps NULL while the post is a draft whatever
changed it (see search.models), has come. So a post that was unpublished a second ago is not
found even before its document is removed, and a scheduled post is found the moment its
time comes. A page costs the same fixed number of queries however many posts match, and no
step reads every match of a very large result set: those are counted from a sample of one
document in SAMPLE_RATE (search.models), and shown as estimates. How much a search reads is a
SearchPlan (search.plan); the statements it runs are in search.sql.
"""

import math
from dataclasses import dataclass, field
from datetime import UTC, timedelta

from django.db import transaction
from django.utils import timezone

from blog.models import Post, Series, Tag
from blog.timeline_filters import PostFilter

from . import corrections, sql
from .plan import DEFAULT_PLAN, current_plan
from .query import parse_query
from .snippets import highlight, make_snippet

RESULTS_PER_PAGE = DEFAULT_PLAN.per_page
# What a result shows of its post; its other fields are deferred (see load_hits).
HIT_POST_FIELDS = ("id", "slug", "title", "published_at", "excerpt_text", "series_id")


# How each of blog's filters (blog.timeline_filters.FILTERS) narrows the documents, given what
# its value names; the year is a span of time, joined with any other (see filtered_documents).
DOCUMENT_FILTERS = {
    "language": sql.in_language,
    "tag": sql.with_tag,
    "series": sql.in_series,
    "source": sql.from_source,
    "author": sql.by_author,
}


def filtered_documents(scan, filters, since=None):
    """Return the sql.Scan `scan` narrowed by the PostFilter `filters`, and to posts published since `since`.

    Tag, series, language and year are read from the copies the document keeps of its post's
    fields (the same the facets count): tag and year narrow the GIN index scan itself, series
    and language are checked on the rows it returns; source and author are looked up among
    the posts (both through an index of theirs). The year
    and `since` make one span of time: one condition. A filter without a translation here is
    an error (a KeyError), never a search that quietly ignores it.
    """
    if filters.matches_nothing:
        return scan.where("FALSE")
    for name, meaning in filters.meanings.items():
        if name != "year":
            scan = DOCUMENT_FILTERS[name](scan, meaning)
    start, end = filters.year_span or (None, None)
    if since is not None:
        start = since if start is None else max(start, since)
    return published_between(scan, start, end) if start is not None else scan


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
    """A tag, series or year and how many of the matching posts have it (estimated for huge sets)."""

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
    year_facets: list = field(default_factory=list)
    suggestions: list = field(default_factory=list)
    # When the query as typed found nothing and a correction of it did (search.corrections):
    # these are the correction's results, and the page says so.
    corrected_query: str = ""
    correction_kind: str = ""
    total_without_filters: int | None = None
    estimated: bool = False
    total_without_filters_estimated: bool = False
    max_page: int = DEFAULT_PLAN.max_page

    @property
    def pages(self):
        """Number of pages a reader can reach."""
        return min(self.max_page, math.ceil(self.reachable / self.per_page))


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
    return filtered_documents(sql.visible_scan(), filters, since)


def matching_documents(condition, filters, since=None):
    """The sql.Scan of visible documents meeting a query's Condition and passing the filters."""
    scan = visible_documents(filters, since)
    if condition.vector:
        scan = sql.matching(scan, condition.vector)
    if condition.pairs:
        scan = sql.matching(scan, condition.pairs, "pairs")
    return scan


def estimate(sample_count, rate=DEFAULT_PLAN.sample_rate):
    """Return how many matches `sample_count` matches of a one-in-`rate` sample stand for, to two digits."""
    value = sample_count * rate
    digits = max(0, len(str(value)) - 2)
    return round(value, -digits) if digits else value


@dataclass
class MatchSummary:
    """What the summary statement found: the total, facets, and where ranking should look."""

    total: int
    estimated: bool
    tag_facets: list
    series_facets: list
    year_facets: list
    candidates: set
    recent_after: object = None
    heading_after: object = None


def match_summary(scan, plan=DEFAULT_PLAN):
    """Return the MatchSummary of the documents of `scan` (see matching_documents)."""
    with sql.database().cursor() as cursor:
        cursor.execute(*sql.summary(scan, plan, timezone.get_current_timezone_name()))
        rows = cursor.fetchall()
    total = 0
    facets = {sql.Row.TAG_FACET: [], sql.Row.SERIES_FACET: [], sql.Row.YEAR_FACET: []}
    candidates = set()
    recent_after = heading_after = None
    estimated, rate = False, plan.sample_rate
    for kind, post_id, name, slug, count, moment in rows:
        kind = sql.Row(kind)
        if kind is sql.Row.TOTAL:
            total = count
        elif kind is sql.Row.CANDIDATE:
            candidates.add(post_id)
        elif kind is sql.Row.RECENT_AFTER:
            recent_after = moment
        elif kind is sql.Row.HEADING_AFTER:
            heading_after = moment
        elif kind is sql.Row.SAMPLE_RATE:
            estimated, rate = True, count
        else:
            facets[kind].append(Facet(name, slug, count))
    if estimated:
        total = estimate(total, rate)
        for facet in (facet for kind_facets in facets.values() for facet in kind_facets):
            facet.count = estimate(facet.count, rate)
    for kind in (sql.Row.TAG_FACET, sql.Row.SERIES_FACET):
        facets[kind].sort(key=lambda facet: (-facet.count, facet.name))
    # Years read as a timeline, newest first.
    facets[sql.Row.YEAR_FACET].sort(key=lambda facet: -int(facet.slug))
    return MatchSummary(
        total,
        estimated,
        facets[sql.Row.TAG_FACET],
        facets[sql.Row.SERIES_FACET],
        facets[sql.Row.YEAR_FACET],
        candidates,
        recent_after,
        heading_after,
    )


def suggestions_for(query, filters, plan=DEFAULT_PLAN):
    """When nothing matches: counts for each part of the query alone, and without the filters.

    One query, run only on the empty-result page; each count is an index scan of the sample,
    and of everything only when the sample is small, so no vector is read however common a
    part is. Returns (suggestions, total without filters, whether that total is estimated).
    """
    counted = []
    if len(query.groups) > 1:
        counted.extend((group.label, group.match, PostFilter()) for group in query.groups)
    if filters:
        counted.append((None, query.match, PostFilter()))
    if not counted:
        return [], None, False
    scans = [matching_documents(condition, unfiltered) for _, condition, unfiltered in counted]
    with sql.database().cursor() as cursor:
        cursor.execute(*sql.counts(scans, plan))
        counts = [
            (estimate(-count, plan.sample_rate), True) if count < 0 else (count, False)
            for count in cursor.fetchone()
        ]
    suggestions = [
        Suggestion(label, count, estimated)
        for (label, _, _), (count, estimated) in zip(counted, counts, strict=True)
        if label and count
    ]
    suggestions.sort(key=lambda suggestion: -suggestion.count)
    if not filters:
        return suggestions, None, False
    return suggestions, counts[-1][0], counts[-1][1]


def search_posts(query, filters=None, *, page=1, per_page=None, plan=None):
    """Return SearchResults for a non-empty ParsedQuery: one page of hits, facets, suggestions.

    Costs at most four SQL queries (planner settings, summary, ranking, the hits' posts),
    whatever the number of matches. A query that finds nothing costs four too (planner,
    summary, the correction lookup, the suggestions), or six when a correction of it finds
    posts: those are returned instead, with `corrected_query` set. `plan` sets how much it
    reads (search.plan.current_plan() if not given); `per_page` defaults to the plan's.
    """
    plan = plan or current_plan()
    filters = PostFilter() if filters is None else filters
    per_page = per_page or plan.per_page
    page = max(1, min(page, plan.max_page))
    if filters.matches_nothing:
        return SearchResults(hits=[], total=0, page=1, per_page=per_page, max_page=plan.max_page)
    database = sql.database()
    with transaction.atomic(using=database.alias, savepoint=False), database.cursor() as cursor:
        cursor.execute(sql.planner_settings())
        return _search(query, filters, page, per_page, plan)


def _ranked(query, filters, summary, offset, limit, plan):
    """Return [(post id, score)] of one page of the summary's candidates, best first.

    Beyond `plan.rank_all_limit` matches the candidates are the most recent matches (listed
    by the summary, or found after its cutoff date when the set is estimated) and the most
    recent posts whose title and tags alone match, from the small heading vector's index.
    Candidates are matches already, except heading matches of a query with exclusions, whose
    body may hold an excluded word: only then is the whole vector checked again.
    """
    pools = []
    if summary.recent_after is not None:
        recent = matching_documents(query.match, filters, since=summary.recent_after)
        pools.append(sql.most_recent(recent, plan.recent_pool, "recent_"))
    if summary.total > plan.rank_all_limit:
        heading = sql.matching(visible_documents(filters), query.tsquery, "head")
        if summary.heading_after is None or summary.total < plan.heading_window_min_total:
            pools.append(sql.most_recent(heading, plan.heading_pool, "heading_"))
        else:
            since = visible_documents(filters, since=summary.heading_after)
            recent = sql.matching(since, query.tsquery, "head")
            pools.append(sql.most_recent_trying_since(recent, heading, plan.heading_pool, "heading_"))
    statement = sql.ranked_page(
        summary.candidates,
        pools,
        query.tsquery,
        plan,
        recheck=query.has_exclusions,
        offset=offset,
        limit=limit,
        phrase=query.proximity,
    )
    with sql.database().cursor() as cursor:
        cursor.execute(*statement)
        return cursor.fetchall()


def _loaded(model, values):
    """An instance of `model` as the database gave it, with only `values` (name: value) loaded.

    The other fields are deferred, loaded when read, as with QuerySet.only().
    """
    values = dict(values)
    names = [field.attname for field in model._meta.concrete_fields if field.attname in values]
    return model.from_db(sql.database().alias, names, [values[name] for name in names])


def load_hits(post_ids):
    """Return {post id: (Post, its document's text and formulas, [Tag, …] by name)} of the visible `post_ids`.

    One statement (sql.hits); each post comes with its series, and holds only
    HIT_POST_FIELDS, the rest deferred as with QuerySet.only(). A post unpublished since the
    ranking is left out.
    """
    with sql.database().cursor() as cursor:
        cursor.execute(*sql.hits(HIT_POST_FIELDS, post_ids))
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


def _corrected(query, filters, page, per_page, plan):
    """Return the SearchResults of the correction of `query` (which found nothing), or None.

    None when there is no correction, or it finds nothing either.
    """
    correction = corrections.correct(query.text)
    if correction is None:
        return None
    corrected_query = parse_query(correction.text)
    if corrected_query.is_empty or corrected_query.tsquery == query.tsquery:
        return None
    found = _search(corrected_query, filters, page, per_page, plan, correct=False)
    if not found.total:
        return None
    found.corrected_query, found.correction_kind = corrected_query.text, correction.kind
    return found


def _search(query, filters, page, per_page, plan, *, correct=True):
    summary = match_summary(matching_documents(query.match, filters), plan)
    if not summary.total:
        corrected = _corrected(query, filters, page, per_page, plan) if correct else None
        if corrected is not None:
            return corrected
        suggestions, total_without_filters, without_filters_estimated = suggestions_for(query, filters, plan)
        return SearchResults(
            hits=[],
            total=0,
            page=1,
            per_page=per_page,
            suggestions=suggestions,
            total_without_filters=total_without_filters,
            total_without_filters_estimated=without_filters_estimated,
            max_page=plan.max_page,
        )
    ranked = _ranked(query, filters, summary, (page - 1) * per_page, per_page, plan)
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
        reachable=summary.total if summary.total <= plan.rank_all_limit else plan.recent_pool,
        tag_facets=summary.tag_facets,
        series_facets=summary.series_facets,
        year_facets=summary.year_facets,
        estimated=summary.estimated,
        max_page=plan.max_page,
    )
