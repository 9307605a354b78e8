"""The reader-facing filters of post lists: ?language= ?tag= ?series= ?source= ?author= ?year=.

One PostFilter serves every list a reader narrows: the timeline applies it to a Post queryset,
search translates it into its SQL (search.results), and both take their links from it (the
filter bar's chips, search's facets, the pagers). A filter is defined once, in FILTERS: its
label, its one validation rule and the posts it keeps; search adds how it narrows documents.

The timeline shows the active filters as removable chips; the filter control above the posts
offers the language, the most used tags and the series readers can see, and submits to the same
URLs.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from .models import Post, Series, Source, Tag, with_published_posts
from .page_cache import bump_content_version, content_version
from .tag_ranking import visible_ranked_tags

# The filters the control offers; the others (reached from a badge, a profile or a search
# facet) ride along.
CONTROL_FILTERS = ("language", "tag", "series")
# ?language= takes the UI's language codes ("zh-hans", "en") and the post field's own ("zh").
POST_LANGUAGE_OF_VALUE = {
    "en": Post.Language.ENGLISH,
    "zh-hans": Post.Language.CHINESE,
    "zh": Post.Language.CHINESE,
}
LANGUAGE_CHOICES = [("zh-hans", _("Chinese")), ("en", _("English"))]
# The value the control writes for each post language, so "?language=zh" selects "zh-hans".
CONTROL_VALUE_OF_LANGUAGE = {Post.Language.CHINESE: "zh-hans", Post.Language.ENGLISH: "en"}
LANGUAGE_NAMES = {Post.Language.CHINESE: _("Chinese"), Post.Language.ENGLISH: _("English")}
# How many tags the control lists (the most used first); any tag is still reachable by URL.
CONTROL_TAGS = 40
CHOICES_CACHE_SECONDS = 3600

# What tag and series slugs and usernames may be (SlugField, Django's username validator).
SLUG = re.compile(r"[-a-zA-Z0-9_]{1,255}")
USERNAME = re.compile(r"[\w.@+-]{1,150}")
# A bigint primary key's largest value: a larger ?source= names nothing.
LARGEST_ID = 2**63 - 1
LAST_YEAR = 9999
# Values are kept up to this length: one more than the longest valid value (a 255-character
# slug), so a value cut to it still fails its rule, and a 10,000-character one is not written
# back into every link of the page.
MAX_VALUE_LENGTH = 256


def language_named(text):
    """The Post.Language that `text` names ("en", "zh-hans" or "zh", in any case), else None."""
    return POST_LANGUAGE_OF_VALUE.get(text.lower())


def slug_named(text):
    """`text` if it can be a tag's or series' slug, else None."""
    return text if SLUG.fullmatch(text) else None


def username_named(text):
    """`text` if it can be a username, else None."""
    return text if USERNAME.fullmatch(text) else None


def number_named(text, largest):
    """`text` as an int from 1 to `largest` when it is written in ASCII digits, else None.

    "²" is a digit to str.isdigit(), hence the ASCII check; leading zeros are allowed ("02024"),
    and the length is checked before int() reads a thousand digits for nothing.
    """
    digits = text.lstrip("0")
    if not (text.isascii() and text.isdigit() and 0 < len(digits) <= len(str(largest))):
        return None
    number = int(digits)
    return number if number <= largest else None


def year_span(year):
    """Return [start, end) of `year` in the site's time zone, as every ?year= reads it (end None: open).

    In a zone ahead of UTC, New Year of year 1 is before the first instant a datetime can hold
    in UTC, and converting it fails: the span starts there instead.
    """
    zone = timezone.get_current_timezone()
    start = max(datetime(year, 1, 1, tzinfo=zone), datetime.min.replace(tzinfo=UTC))
    return start, datetime(year + 1, 1, 1, tzinfo=zone) if year < LAST_YEAR else None


def posts_of_year(year):
    """The Q of the posts published in `year`, in the site's time zone."""
    start, end = year_span(year)
    return Q(published_at__gte=start) & (Q(published_at__lt=end) if end else Q())


@dataclass(frozen=True)
class FilterDefinition:
    """One ?name= filter: what to call it, what a value means, the posts it keeps, what a chip says.

    `meaning` is the one validation rule: it returns what a value names (a slug, a
    Post.Language, a year…), or None when the value cannot name anything. `posts` turns a
    meaning into a Q over Post; `title` into the name a reader sees, from visible things only
    (None: the value is shown as typed).
    """

    label: str
    meaning: Callable
    posts: Callable
    title: Callable


# Every filter readers can give, in the order links write them. Adding one: an entry here, and
# how it narrows search documents in search.results.DOCUMENT_FILTERS.
FILTERS = {
    "language": FilterDefinition(
        _("Language"), language_named, lambda language: Q(language=language), LANGUAGE_NAMES.get
    ),
    "tag": FilterDefinition(
        _("Tag"),
        slug_named,
        lambda slug: Q(tags__slug=slug),
        lambda slug: published_name(Tag.objects.filter(slug=slug), "tags"),
    ),
    "series": FilterDefinition(
        _("Series"),
        slug_named,
        lambda slug: Q(series__slug=slug),
        lambda slug: published_name(Series.objects.filter(slug=slug), "series"),
    ),
    "source": FilterDefinition(
        _("Source"),
        lambda text: number_named(text, LARGEST_ID),
        lambda source_id: Q(source_id=source_id),
        lambda source_id: published_name(Source.objects.filter(pk=source_id), "source"),
    ),
    "author": FilterDefinition(
        _("Author"),
        username_named,
        lambda username: Q(author__username=username),
        lambda username: published_name(get_user_model().objects.filter(username=username), "author"),
    ),
    "year": FilterDefinition(_("Year"), lambda text: number_named(text, LAST_YEAR), posts_of_year, str),
}


@dataclass
class ActiveFilter:
    """One filter in use, as a chip shows it: its name, the value, what to call it, the URL without it."""

    name: str
    value: str
    label: str
    title: str
    clear_url: str


class PostFilter:
    """The filters of one request, as given: which posts a list keeps, and the links that change them.

    Values are kept as given (trimmed, cut at MAX_VALUE_LENGTH), in FILTERS order, and links
    carry them so. A value that cannot name anything under its filter's rule makes the whole
    filter match nothing: never an error, never a list wider than asked. A PostFilter is never
    changed: the methods that change a filter return a new one.
    """

    def __init__(self, **given):
        unknown = set(given) - set(FILTERS)
        if unknown:
            raise TypeError(f"no such filter: {', '.join(sorted(unknown))}")
        self.values = {}
        for name in FILTERS:
            value = given.get(name)
            text = "" if value is None else str(value).strip()[:MAX_VALUE_LENGTH]
            if text:
                self.values[name] = text

    @classmethod
    def from_query(cls, query):
        """Read the filters from a QueryDict; other parameters and blank values are ignored."""
        return cls(**{name: query.get(name) for name in FILTERS})

    def __bool__(self):
        return bool(self.values)

    def __repr__(self):
        return f"PostFilter({', '.join(f'{name}={value!r}' for name, value in self.values.items())})"

    @cached_property
    def meanings(self):
        """{name: what its value names} of the filters given; None where a value names nothing."""
        return {name: FILTERS[name].meaning(text) for name, text in self.values.items()}

    @property
    def matches_nothing(self):
        """True when a value cannot name anything, so that no post passes."""
        return None in self.meanings.values()

    @property
    def year_span(self):
        """[start, end) of the ?year= given (end None: open), or None without one."""
        year = self.meanings.get("year")
        return year_span(year) if year is not None else None

    def apply(self, posts):
        """Narrow a Post queryset by every filter given (to none when one names nothing)."""
        if self.matches_nothing:
            return posts.none()
        for name, meaning in self.meanings.items():
            posts = posts.filter(FILTERS[name].posts(meaning))
        return posts

    def has(self, name, value):
        """True when filter `name` is set to what `value` names ("EN" and "en" are one language)."""
        meaning = FILTERS[name].meaning(str(value).strip())
        return meaning is not None and self.meanings.get(name) == meaning

    def with_value(self, name, value):
        """These filters with `name` set to `value` ("" or None: left out), the others kept."""
        return PostFilter(**{**self.values, name: value})

    def without(self, name):
        """These filters without `name`."""
        return self.with_value(name, None)

    def toggled(self, name, value):
        """These filters with `name` set to `value`, or without it if set so already: a facet's link."""
        return self.without(name) if self.has(name, value) else self.with_value(name, value)

    def query_string(self):
        """The filters URL-encoded (no leading "?"): what the timeline's pager adds its cursor to."""
        return urlencode(list(self.values.items()))

    def url(self, leading=None, trailing=None):
        """Return "?" and the query string: `leading` parameters, the filters, then `trailing` ones.

        `leading` and `trailing` are a page's own parameters (search's ?q= before the filters,
        its ?page= after); blank ones are left out. A page number or cursor is never carried
        over by itself: a link that changes a filter starts again from the first page.
        """
        pairs = [*dict(leading or {}).items(), *self.values.items(), *dict(trailing or {}).items()]
        return "?" + urlencode([(name, value) for name, value in pairs if value])

    @cached_property
    def chips(self):
        """The filters given, with display titles, for the filter bar (one query per named thing, once).

        A title comes only from a tag, series, source or author with published posts: a value
        naming anything else is shown as typed, exactly like a value that names nothing.
        """
        chips = []
        for name, value in self.values.items():
            meaning = self.meanings[name]
            title = FILTERS[name].title(meaning) if meaning is not None else None
            chips.append(
                ActiveFilter(
                    name=name,
                    value=value,
                    label=FILTERS[name].label,
                    title=title or value,
                    clear_url=self.without(name).url(),
                )
            )
        return chips

    def control(self):
        """Return what the filter control shows: one FilterField per control filter, then hidden ones.

        An active value the lists lack (a rare tag, or one naming nothing) is offered too, as the
        filter bar titles it, so submitting the form again keeps it.
        """
        choices = filter_choices()
        titles = {chip.name: chip.title for chip in self.chips}
        fields = []
        for name in CONTROL_FILTERS:
            options = list(choices[name])
            value = self.values.get(name, "")
            if name == "language":
                value = CONTROL_VALUE_OF_LANGUAGE.get(self.meanings.get("language"), value)
            if value and value not in {option for option, _label in options}:
                options.append((value, titles[name]))
            fields.append(FilterField(name=name, label=FILTERS[name].label, value=value, options=options))
        hidden = [(name, value) for name, value in self.values.items() if name not in CONTROL_FILTERS]
        return FilterControl(fields=fields, hidden=hidden)


@dataclass
class FilterField:
    """One <select> of the filter control: its options are (value, label) pairs."""

    name: str
    label: str
    value: str
    options: list

    def options_html(self):
        """The <option>s after "All", escaped, the current value selected.

        Joined here rather than looped in the template: forty-odd options through the template
        engine cost more than the rest of the form on every timeline a change leaves uncached.
        """
        prefix = "#" if self.name == "tag" else ""
        return format_html_join(
            "\n",
            '<option value="{}"{}>{}{}</option>',
            (
                (value, mark_safe(" selected") if value == self.value else "", prefix, label)
                for value, label in self.options
            ),
        )


@dataclass
class FilterControl:
    """The filter control's selects, and the active filters it keeps as hidden inputs."""

    fields: list
    hidden: list


def filter_choices():
    """Return {"language": …, "tag": …, "series": …} as (value, label) pairs readers can see.

    Kept in the cache under the content version, so the timeline asks once per published
    change, not once per reader; a change of posts stores them for its new version at once
    (store_filter_choices, from blog.signals), so that reader is not the first after it either.
    The tags come from blog.tag_ranking, counted when tags change.
    """
    choices = cache.get(_choices_key(content_version()))
    if choices is None:
        choices = store_filter_choices()
    # Labels in the reader's language: never cached.
    return {"language": [(value, str(label)) for value, label in LANGUAGE_CHOICES], **choices}


def invalidate_pages():
    """Invalidate every cached page, and store the filter choices for the version that follows.

    What every change readers could see calls (blog.signals, the tag recount): the first reader
    after it then renders the page without counting the choices.
    """
    bump_content_version()
    store_filter_choices()


def store_filter_choices():
    """Count the tag and series choices readers can see now, keep them for this version, return them.

    The version is read before the choices are: a change committed meanwhile moves it again,
    so what is kept under a version never predates it.
    """
    key = _choices_key(content_version())
    tags = visible_ranked_tags(CONTROL_TAGS)
    series = with_published_posts(Series.objects, "series").order_by("title").values_list("slug", "title")
    choices = {"tag": tags, "series": list(series)}
    cache.set(key, choices, CHOICES_CACHE_SECONDS)
    return choices


def _choices_key(version):
    return f"timeline-filter-choices:{version}"


def published_name(queryset, post_field):
    """The name of the object in `queryset` if readers can see a post of it, else None."""
    found = with_published_posts(queryset, post_field).first()
    return str(found) if found is not None else None
