"""The timeline's filter bar: ?tag= ?series= ?source= ?author=, combinable."""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from .models import Series, Source, Tag, with_published_posts

FILTER_NAMES = ("tag", "series", "source", "author")
LABELS = {"tag": _("Tag"), "series": _("Series"), "source": _("Source"), "author": _("Author")}


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

    def active(self):
        """The active filters with display titles, for the filter bar (one query per filter).

        A title comes only from a tag, series, source or author with published posts: a value
        naming anything else is shown as typed, exactly like a value that names nothing.
        """
        titles = {
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

    def __bool__(self):
        return bool(self.values)


def published_name(queryset, post_field):
    """The name of the object in `queryset` if readers can see a post of it, else None."""
    found = with_published_posts(queryset, post_field).first()
    return str(found) if found is not None else None
