"""The timeline's filters: ?language= ?tag= ?series= ?source= ?author=, combinable.

The filter bar shows the active ones as removable chips; the filter control above the posts
offers the language, the most used tags and the series readers can see, and submits to the same
URLs.
"""

from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from .models import Post, Series, Source, Tag, with_published_posts
from .page_cache import content_version
from .tag_ranking import visible_ranked_tags

FILTER_NAMES = ("language", "tag", "series", "source", "author")
# The filters the control offers; the others (reached from a badge or a profile) ride along.
CONTROL_FILTERS = ("language", "tag", "series")
LABELS = {
    "language": _("Language"),
    "tag": _("Tag"),
    "series": _("Series"),
    "source": _("Source"),
    "author": _("Author"),
}
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


@dataclass
class ActiveFilter:
    """One filter in use: its name, the raw value, what to call it, and the URL without it."""

    name: str
    value: str
    label: str
    title: str
    clear_url: str


@dataclass
class TimelineFilter:
    """The filters of one timeline request, as given in the query string."""

    values: dict = field(default_factory=dict)

    @classmethod
    def from_query(cls, query):
        """Read the filters from a QueryDict; unknown names and blank values are ignored."""
        values = {}
        for name in FILTER_NAMES:
            value = query.get(name, "").strip()[:200]
            if value:
                values[name] = value
        return cls(values)

    def apply(self, posts):
        """Narrow a Post queryset by every active filter. Unknown values simply match nothing."""
        if "language" in self.values:
            language = POST_LANGUAGE_OF_VALUE.get(self.values["language"].lower())
            posts = posts.filter(language=language) if language else posts.none()
        if "tag" in self.values:
            posts = posts.filter(tags__slug=self.values["tag"])
        if "series" in self.values:
            posts = posts.filter(series__slug=self.values["series"])
        if "source" in self.values:
            source = self.values["source"]
            posts = (
                posts.filter(source_id=int(source)) if source.isascii() and source.isdigit() else posts.none()
            )
        if "author" in self.values:
            posts = posts.filter(author__username=self.values["author"])
        return posts

    def query_string(self, without=None):
        """The URL-encoded filters, leaving out `without` (no leading "?")."""
        return urlencode([(name, value) for name, value in self.values.items() if name != without])

    @cached_property
    def active(self):
        """The active filters with display titles, for the filter bar (one query per filter, once).

        A title comes only from a tag, series, source or author with published posts: a value
        naming anything else is shown as typed, exactly like a value that names nothing.
        """
        titles = {
            "language": lambda value: LANGUAGE_NAMES.get(POST_LANGUAGE_OF_VALUE.get(value.lower())),
            "tag": lambda value: published_name(Tag.objects.filter(slug=value), "tags"),
            "series": lambda value: published_name(Series.objects.filter(slug=value), "series"),
            "source": lambda value: (
                published_name(Source.objects.filter(pk=int(value)), "source")
                if value.isascii() and value.isdigit()
                else None
            ),
            "author": lambda value: published_name(get_user_model().objects.filter(username=value), "author"),
        }
        return [
            ActiveFilter(
                name=name,
                value=value,
                label=LABELS[name],
                title=titles[name](value) or value,
                clear_url="?" + self.query_string(without=name),
            )
            for name, value in self.values.items()
        ]

    def control(self):
        """Return what the filter control shows: one FilterField per control filter, then hidden ones.

        An active value the lists lack (a rare tag, or one naming nothing) is offered too, as the
        filter bar titles it, so submitting the form again keeps it.
        """
        choices = filter_choices()
        titles = {active.name: active.title for active in self.active}
        fields = []
        for name in CONTROL_FILTERS:
            options = list(choices[name])
            value = self.values.get(name, "")
            if name == "language":
                value = CONTROL_VALUE_OF_LANGUAGE.get(POST_LANGUAGE_OF_VALUE.get(value.lower()), value)
            if value and value not in {option for option, _label in options}:
                options.append((value, titles[name]))
            fields.append(FilterField(name=name, label=LABELS[name], value=value, options=options))
        hidden = [(name, value) for name, value in self.values.items() if name not in CONTROL_FILTERS]
        return FilterControl(fields=fields, hidden=hidden)

    def __bool__(self):
        return bool(self.values)


@dataclass
class FilterField:
    """One <select> of the filter control: its options are (value, label) pairs."""

    name: str
    label: str
    value: str
    options: list


@dataclass
class FilterControl:
    """The filter control's selects, and the active filters it keeps as hidden inputs."""

    fields: list
    hidden: list


def filter_choices():
    """Return {"language": …, "tag": …, "series": …} as (value, label) pairs readers can see.

    Kept in the cache under the content version, so the timeline asks once per published
    change, not once per reader; the tags come from blog.tag_ranking, counted when tags change.
    """
    key = f"timeline-filter-choices:{content_version()}"
    choices = cache.get(key)
    if choices is None:
        tags = visible_ranked_tags(CONTROL_TAGS)
        series = with_published_posts(Series.objects, "series").order_by("title").values_list("slug", "title")
        choices = {"tag": tags, "series": list(series)}
        cache.set(key, choices, CHOICES_CACHE_SECONDS)
    # Labels in the reader's language: never cached.
    return {"language": [(value, str(label)) for value, label in LANGUAGE_CHOICES], **choices}


def published_name(queryset, post_field):
    """The name of the object in `queryset` if readers can see a post of it, else None."""
    found = with_published_posts(queryset, post_field).first()
    return str(found) if found is not None else None
