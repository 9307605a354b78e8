"""The search page and its JSON twin: thin callers of search.query and search.results."""

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import ngettext

from blog.page_cache import cached_for_everyone, cached_for_readers
from blog.rate_limits import Limit, client_ip, minutes_left
from blog.timeline_filters import PostFilter

from .query import MAX_QUERY_LENGTH, parse_query
from .results import search_posts

# Requests to the JSON search API per client address and window; past it, 429 with Retry-After.
SEARCH_API_REQUESTS = Limit("search-api", "SEARCH_API_REQUESTS_PER_IP", window_setting="SEARCH_API_WINDOW")


def _page_number(value):
    """The requested page as a positive int; anything else is page 1."""
    return int(value) if value and value.isascii() and value.isdigit() and len(value) < 6 else 1


def _search(request):
    text = request.GET.get("q", "")[:MAX_QUERY_LENGTH]
    query = parse_query(text)
    filters = PostFilter.from_query(request.GET)
    results = (
        None if query.is_empty else search_posts(query, filters, page=_page_number(request.GET.get("page")))
    )
    return text, query, filters, results


@cached_for_readers
def search(request):
    """/search/?q=…: the form, and results with facets when the query has something to find.

    Every link the page makes takes its filters from the PostFilter: ?q= goes before them and
    ?page= after; a link that changes a filter starts from the first page.
    """
    text, query, filters, results = _search(request)
    context = {"q": text, "query": query, "filters": filters, "results": results}
    if results is not None:
        # The page shows the correction's results when there is one: its links narrow and page those.
        shown = {"q": results.corrected_query or text}
        for name, facets in (
            ("tag", results.tag_facets),
            ("series", results.series_facets),
            ("year", results.year_facets),
        ):
            for facet in facets:
                facet.active = filters.has(name, facet.slug)
                facet.url = filters.toggled(name, facet.slug).url(leading=shown)
        for suggestion in results.suggestions:
            suggestion.url = filters.url(leading={"q": suggestion.text})
        context.update(
            without_filters_url=PostFilter().url(leading={"q": text}),
            previous_url=filters.url(shown, {"page": results.page - 1}) if results.page > 1 else None,
            next_url=filters.url(shown, {"page": results.page + 1}) if results.page < results.pages else None,
        )
    return render(request, "search/search.html", context)


def search_api(request):
    """/search/api/?q=…: the same results as JSON, for scripts and live search.

    Limited per client address (cached answers count too, so the limit is one a person typing
    never meets and a scraper always does); answered 429 with a JSON error beyond it.
    """
    if not SEARCH_API_REQUESTS.record(client_ip(request)):
        minutes = minutes_left(SEARCH_API_REQUESTS)
        response = JsonResponse(
            {
                "error": ngettext(
                    "Too many searches from your network. Wait %(minutes)d minute, then search again.",
                    "Too many searches from your network. Wait %(minutes)d minutes, then search again.",
                    minutes,
                )
                % {"minutes": minutes}
            },
            status=429,
            json_dumps_params={"ensure_ascii": False},
        )
        response["Retry-After"] = str(SEARCH_API_REQUESTS.window)
        return response
    return _search_api_results(request)


# The JSON is the same for everyone (published posts only), so logged-in readers share the cache.
@cached_for_everyone
def _search_api_results(request):
    text, _query, _filters, results = _search(request)
    hits = results.hits if results else []
    return JsonResponse(
        {
            "query": text,
            "count": results.total if results else 0,
            # Very large result sets are counted from a sample (see search.results).
            "count_is_estimate": bool(results and results.estimated),
            # Set when the query as typed found nothing and these are the results of this
            # correction of it (a spelling fixed, or pinyin read as Chinese).
            "corrected_query": results.corrected_query or None if results else None,
            "page": results.page if results else 1,
            "pages": results.pages if results else 0,
            "results": [
                {
                    "id": hit.post.pk,
                    "title": hit.post.title,
                    "url": request.build_absolute_uri(hit.post.get_absolute_url()),
                    "snippet": str(hit.snippet_html),
                    "score": round(hit.score, 6),
                    "published_at": hit.post.published_at.isoformat(),
                }
                for hit in hits
            ],
            "facets": {
                name: [{"name": facet.name, "slug": facet.slug, "count": facet.count} for facet in facets]
                for name, facets in (
                    ("tags", results.tag_facets if results else []),
                    ("series", results.series_facets if results else []),
                    ("years", results.year_facets if results else []),
                )
            },
        },
        json_dumps_params={"ensure_ascii": False},
    )
