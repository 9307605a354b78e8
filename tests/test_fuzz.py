"""No odd input makes a server error, on any URL, for anyone.

Every URL pattern the resolver knows (walked recursively, so a new page is fuzzed without
touching this file) is asked for as an anonymous visitor, a reader, an author and a superuser,
first as a browser would. The first of them that gets past the login check then fuzzes it in
depth: each path argument and each query parameter the view reads replaced by odd values (NUL,
lone surrogates, 10,000 characters, tsquery and LIKE metacharacters, bad base64 and cursors,
huge and negative numbers, odd Unicode), HEAD and OPTIONS, POSTs of odd form fields
(urlencoded, multipart with a fake image, UTF-16, broken multipart), and odd Accept,
If-None-Match, If-Modified-Since, Host, Cookie and X-Forwarded-For headers. The roles after it,
who see more of the same page, send one odd query string and one odd form. Any answer of 500 or
more fails the test, with the exception behind it in the message; the figures are printed at
the end of `make test` (tests/conftest.py).

"The parameters the view reads" are learnt from the views themselves: the first requests of a
page go through RecordReadParameters (a middleware added for this test only, which notes every
name looked up in request.GET and request.POST), and the page's own links and forms add the
names a browser would send.

Each request runs in a savepoint that is rolled back, and the client's cookies are put back
afterwards, so a POST that deletes, logs out or replaces a token leaves the next request the
same world. The odd values per parameter are bounded (a few fixed ones, the rest of the corpus
taken in turn), which keeps the file under a minute of one core.
"""

import base64
import copy
import importlib
import itertools
import logging
import random
import re
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, quote, urljoin, urlsplit

import pytest
import reversion
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.http import QueryDict
from django.test import Client
from django.urls import URLResolver, get_resolver
from django.urls.resolvers import RoutePattern
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from reversion.models import Version

from accounts.models import AuthorProfile, Bookmark, FeedToken, Follow
from authoring.models import ReviewRequest
from authoring.preview_links import preview_path
from authoring.roles import AUTHOR, grant_role
from blog.models import Post, SlugRedirect, Source, Tag
from blog.storable_text import is_storable
from search.indexing import index_posts
from search.models import DictionaryWord
from tests.factories import make_post, make_series, make_user

pytestmark = pytest.mark.django_db

roles_migration = importlib.import_module("accounts.migrations.0002_author_and_editor_roles")


def _cursor(text):
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


# --- the corpus ----------------------------------------------------------------------------------

# Tried in every path argument. In query strings and forms a NUL goes in every field at once
# (it is refused before any view runs) and the other two take turns.
EVERY_TIME = ["\x00", "\ud800", "x" * 10_000]
# Taken in turn, a few per argument or parameter, so that each is tried many times over the run.
IN_TURN = [
    "a & b | !c (d) :* e:B <-> 'f'",
    "%_\\%",
    "2147483648",
    _cursor("0001-01-01T00:00:00+23:59|1"),
    "²",
    "a\x00b",
    "!(",
    "-1",
    _cursor("9999-12-31T23:59:59-23:59|1"),
    "\u202e\u200f\ufeff𝕏",
    "%",
    "9223372036854775808",
    "====",
    "<script>alert(1)</script>",
    "\\",
    "0",
    _cursor("2024-01-01T00:00:00+00:00|99999999999999999999"),
    "😀" * 50,
    "_",
    "-9223372036854775809",
    "8J-OiQ",
    "e\u0301\u0327 ｆｕｌｌ İı",
    "''",
    "9" * 40,
    _cursor("2024-01-01T00:00:00+00:00|-5"),
    "\udfff\ud800",
    ":*",
    "1e309",
    "!!!",
    "\uffff\ufffe",
    "a%",
    "NaN",
    "中文，标点。",
    "../../../etc/passwd",
    "١٢٣",
    "\"'><img src=x onerror=alert(1)>",
    "\r\n\t",
    "1_000",
    "foo",
    "//evil.invalid/",
    "https://evil.invalid/",
    " ",
    "",
    "[]",
    "null",
    "0x1F",
    "+1",
    '<ol start="²"><li>x</li></ol>',
    "9999-12-31T23:59:59-23:59",
    "0001-01-01",
    "admin:index",
]
# For arguments that only digits can fill (<int:…>, years, reversion's (\d+)).
NUMBERS = ["0", "2147483648", "9223372036854775808", "9" * 30, "10000"]

ODD_HEADERS = [
    {
        "Accept": "application/json;q=abc, text/*;q=-1, */*;q=2",
        "If-None-Match": 'W/"\x00", *, "x"',
        "If-Modified-Since": "Sat, 01 Jan 0001 00:00:00 GMT",
    },
    {"Accept": "\x00/\x00", "If-None-Match": "*", "If-Modified-Since": "99999999999999999999"},
    {
        "If-Modified-Since": "Fri, 31 Dec 9999 23:59:59 GMT",
        "If-None-Match": '"' + "x" * 10_000 + '"',
        "Accept-Language": "zz-ZZ, *;q=nope, " + "a-" * 400,
    },
    {"Host": "evil.invalid"},
    {"Host": "[::1"},
    {"Host": "localhost:99999999999"},
    # A quoted cookie may spell a NUL as \000; the session key then reaches the database.
    {"Cookie": 'sessionid="abcdefgh\\000ijk"; csrftoken=\x00; django_language=\x00zz'},
    {
        "X-Forwarded-For": "\x00, 999.999.1.1, ::::, " + "1," * 500,
        "Referer": "\x00",
        "User-Agent": "x" * 10_000,
    },
    {"Range": "bytes=-1-2", "If-Range": "garbage", "If-Match": "\x00", "If-Unmodified-Since": "garbage"},
]


def encoded(text):
    """Percent-encode `text` as UTF-8, lone surrogates included (as a browser never would)."""
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


def form_body(fields, encoding="utf-8"):
    """An application/x-www-form-urlencoded body of `fields` (name, value) pairs."""
    return "&".join(
        f"{quote(name.encode(encoding, 'surrogatepass'), safe='')}="
        f"{quote(value.encode(encoding, 'surrogatepass'), safe='')}"
        for name, value in fields
    )


# --- the URL patterns ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Argument:
    """One argument of a URL pattern: its name and the regex its text must match."""

    name: str
    regex: str

    @property
    def takes_only_digits(self):
        return bool(re.fullmatch(self.regex, "123")) and not re.fullmatch(self.regex, "a")


@dataclass
class Route:
    """One URL pattern, as literal text and arguments, with the URL name it answers to."""

    url_name: str
    parts: list

    @property
    def template(self):
        return "/" + "".join(part if isinstance(part, str) else f"<{part.name}>" for part in self.parts)

    @property
    def arguments(self):
        return [part for part in self.parts if isinstance(part, Argument)]

    def path(self, values):
        """The URL path with each argument's value percent-encoded from `values`."""
        return "/" + "".join(
            part if isinstance(part, str) else encoded(values[part.name]) for part in self.parts
        )


ROUTE_ARGUMENT = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
REGEX_GROUP = re.compile(r"\((?:\?P<(?P<name>\w+)>)?(?P<body>(?:[^()\\]|\\.|\([^()]*\))*)\)")


def pattern_parts(pattern, positional):
    """Split a RoutePattern or RegexPattern into literal text and Arguments."""
    text, parts, position = str(pattern), [], 0
    if isinstance(pattern, RoutePattern):
        for match in ROUTE_ARGUMENT.finditer(text):
            parts.append(text[position : match.start()])
            parts.append(Argument(match["name"], pattern.converters[match["name"]].regex))
            position = match.end()
        parts.append(text[position:])
    else:
        text = text.removeprefix("^").removesuffix("$")
        for match in REGEX_GROUP.finditer(text):
            parts.append(re.sub(r"\\(.)", r"\1", text[position : match.start()]))
            parts.append(Argument(match["name"] or f"arg{next(positional)}", match["body"]))
            position = match.end()
        parts.append(re.sub(r"\\(.)", r"\1", text[position:]))
    return [part for part in parts if part != ""]


def every_route(resolver=None, prefix=(), namespace=""):
    """Yield a Route for every URL pattern below `resolver` (the root one by default)."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        positional = itertools.count()
        parts = [*prefix, *pattern_parts(entry.pattern, positional)]
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from every_route(entry, parts, inner)
        else:
            yield Route(f"{namespace}{entry.name}" if entry.name else "", parts)


# --- the world: one of everything ----------------------------------------------------------------


@dataclass
class World:
    """Saved objects of every kind, and a valid value for each URL argument."""

    users: dict
    values: dict = field(default_factory=dict)

    def value_for(self, route, argument):
        """A value of `argument` that names a real object (else a plausible "1")."""
        for key in ((route.url_name, argument.name), ("*", argument.name)):
            if key in self.values:
                return str(self.values[key])
        for prefix, object_id in self.values.get("admin objects", {}).items():
            if route.url_name.startswith(prefix) and argument.name in {"object_id", "arg0"} and object_id:
                return str(object_id)
        return "1"


@pytest.fixture
def quiet_client_errors():
    """Thousands of 4xx answers are expected here; Django would log each (some with a traceback).

    Server errors are still logged, and each is in the failure message with its exception.
    """
    request_logger = logging.getLogger("django.request")
    previous = request_logger.level
    request_logger.setLevel(logging.ERROR)
    yield
    request_logger.setLevel(previous)


@pytest.fixture
def world(settings, quiet_client_errors):
    roles_migration.create_roles(apps, None)
    # Logging in and changing passwords are fuzzed too; a slow hash would be most of the run.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.TIMELINE_PAGE_SIZE = 1  # so that pages have older/newer links to follow
    settings.PAGE_CACHE_SECONDS = 600  # the anonymous page cache is part of what is fuzzed
    reader = make_user("fuzz-reader", email="reader@example.test")
    author = make_user("fuzz-author", email="author@example.test")
    grant_role(author, AUTHOR)
    superuser = make_user("fuzz-root", email="root@example.test", is_staff=True, is_superuser=True)
    series = make_series("模糊测试 series")
    source = Source.objects.create(title="Elsewhere", feed_url="https://elsewhere.invalid/feed.xml")
    now = timezone.now()
    with reversion.create_revision():
        post = make_post("Fuzzed post", author=author, tags=["模糊", "fuzz"], series=series, series_order=1)
    for days in (2, 3):
        make_post(
            f"Older {days}",
            author=author,
            published_at=now - timedelta(days=days),
            source=source,
            source_guid=f"older-{days}",
            original_url=f"https://elsewhere.invalid/{days}",
        )
    draft = make_post("Fuzzed draft", author=author, status=Post.Status.DRAFT)
    with reversion.create_revision():
        gone = make_post("Deleted post", author=superuser)
    gone_version = Version.objects.get_for_object(gone).first()
    gone.delete()
    ReviewRequest.objects.create(post=draft, requested_by=author)
    SlugRedirect.objects.create(old_slug="old-fuzzed-post", post=post)
    AuthorProfile.objects.create(user=author, display_name="Fuzz Author", bio="*bio*")
    Bookmark.objects.create(user=reader, post=post)
    tag = Tag.objects.get(slug="fuzz")
    Follow.objects.create(user=reader, tag=tag)
    feed_token = FeedToken.objects.create(user=reader)
    DictionaryWord.objects.create(word="模糊测试")
    index_posts(list(Post.objects.values_list("pk", flat=True)))

    found = World(users={"reader": reader, "author": author, "superuser": superuser})
    found.values.update(
        {
            ("blog:post", "slug"): post.slug,
            ("blog:tag", "slug"): tag.slug,
            ("blog:tag_feed_atom", "slug"): tag.slug,
            ("blog:tag_feed_rss", "slug"): tag.slug,
            ("blog:series", "slug"): series.slug,
            ("blog:series_feed_atom", "slug"): series.slug,
            ("blog:series_feed_rss", "slug"): series.slug,
            ("*", "username"): author.username,
            ("*", "year"): post.published_at.year,
            ("*", "code"): "en",
            ("*", "uidb64"): urlsafe_base64_encode(force_bytes(reader.pk)),
            ("accounts:password_reset_confirm", "token"): default_token_generator.make_token(reader),
            ("authoring:preview", "token"): preview_path(draft, author).rstrip("/").rsplit("/", 1)[-1],
            ("personal_feed", "token"): feed_token.token,
            ("*", "post_id"): post.pk,
            ("*", "kind"): "tag",
            ("*", "pk"): tag.pk,
            ("*", "section"): "posts",
            ("*", "path"): "nothing-here.png",
            ("*", "url"): "nowhere/",
            ("*", "app_label"): "blog",
            ("admin:blog_post_revision", "arg1"): Version.objects.get_for_object(post).first().pk,
            ("admin:blog_post_recover", "arg0"): gone_version.pk,
        }
    )
    found.values["admin objects"] = {
        f"admin:{model._meta.app_label}_{model._meta.model_name}_": model._default_manager.order_by("pk")
        .values_list("pk", flat=True)
        .first()
        for model in admin.site._registry
    }
    return found


# --- learning which parameters a page reads --------------------------------------------------


class RecordingQueryDict(QueryDict):
    """A QueryDict that notes every name it is asked for in `asked`."""

    asked = None

    def _note(self, key):
        if self.asked is not None and isinstance(key, str):
            self.asked.add(key)

    def __getitem__(self, key):
        self._note(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        self._note(key)
        return super().__contains__(key)

    def get(self, key, default=None):
        self._note(key)
        return super().get(key, default)

    def getlist(self, key, default=None):
        self._note(key)
        return super().getlist(key, default)

    @classmethod
    def recording(cls, original, asked):
        copy_ = cls(mutable=True, encoding=original.encoding)
        for key, values in original.lists():
            copy_.setlist(key, values)
        copy_._mutable = False
        copy_.asked = asked
        return copy_


class RecordReadParameters:
    """Test-only middleware: the names a view read from GET and POST, on `response.read_names`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        get_names, post_names = set(), set()
        request.GET = RecordingQueryDict.recording(request.GET, get_names)
        request.POST = RecordingQueryDict.recording(request.POST, post_names)
        response = self.get_response(request)
        response.read_names = (get_names, post_names)
        return response


class PageNames(HTMLParser):
    """The query parameter names in a page's links to itself, and its forms' field names."""

    def __init__(self, url):
        super().__init__()
        self.url, self.path = url, urlsplit(url).path
        self.get_names, self.post_names, self.file_names = set(), set(), set()
        self.form_method = None

    def _same_page_query(self, href):
        target = urlsplit(urljoin(self.url, href))
        return parse_qsl(target.query, keep_blank_values=True) if target.path == self.path else []

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        if tag in {"a", "link"} and attrs.get("href"):
            self.get_names.update(name for name, _value in self._same_page_query(attrs["href"]))
        elif tag == "form":
            action = attrs.get("action") or self.url
            same_page = urlsplit(urljoin(self.url, action)).path == self.path
            self.form_method = attrs.get("method", "get").lower() if same_page else None
        elif tag in {"input", "select", "textarea", "button"} and attrs.get("name") and self.form_method:
            if attrs.get("type") == "file":
                self.file_names.add(attrs["name"])
            (self.post_names if self.form_method == "post" else self.get_names).add(attrs["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self.form_method = None


# --- sending requests ----------------------------------------------------------------------------

ROLES = ["anonymous", "reader", "author", "superuser"]
LOGIN_PATHS = ("/admin/login/", "/accounts/login/")
URLENCODED = "application/x-www-form-urlencoded"


def reached_the_view(response):
    """False for a redirect to a login page or a 403: the view itself never ran."""
    if response.status_code == 403:
        return False
    location = response.headers.get("Location", "")
    return not (response.status_code in {301, 302} and urlsplit(location).path in LOGIN_PATHS)


class FakeUpload:
    """A file field's value: a "PNG" that is not one."""

    def __init__(self, name):
        self.name = f"{name}.png"
        self._content = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

    def read(self, *args):
        content, self._content = self._content, b""
        return content


@dataclass
class Fuzz:
    """Sends the requests, as each role, and keeps the figures and every server error."""

    clients: dict
    requests: Counter = field(default_factory=Counter)
    patterns: set = field(default_factory=set)
    deep: dict = field(default_factory=dict)
    statuses: Counter = field(default_factory=Counter)
    failures: list = field(default_factory=list)
    turn: itertools.cycle = field(default_factory=lambda: itertools.cycle(IN_TURN))

    def __post_init__(self):
        self.cookies = {role: copy.deepcopy(client.cookies) for role, client in self.clients.items()}

    def in_turn(self, count=1):
        return [next(self.turn) for _ in range(count)]

    def send(self, role, route, method, url, **kwargs):
        """Send one request in a savepoint that is rolled back; note a server error."""
        client = self.clients[role]
        self.requests[role] += 1
        self.patterns.add(route.template)
        with transaction.atomic():
            response = getattr(client, method.lower())(url, **kwargs)
            transaction.set_rollback(True)
        client.cookies = copy.deepcopy(self.cookies[role])
        self.statuses[response.status_code] += 1
        if response.status_code >= 500:
            exc_info = getattr(response, "exc_info", None)
            cause = "".join(traceback.format_exception(*exc_info)[-4:]) if exc_info else "(no exception)\n"
            headers = f" headers={kwargs['headers']!r:.300}" if kwargs.get("headers") else ""
            body = f" body={kwargs['data']!r:.300}" if kwargs.get("data") else ""
            self.failures.append(
                f"as {role}: {method} {url[:300]!r}{headers}{body} → {response.status_code}\n{cause}"
            )
        return response

    def report(self, seconds):
        by_role = ", ".join(f"{role} {self.requests[role]}" for role in ROLES)
        return (
            f"fuzz: {self.requests.total()} requests ({by_role}) over {len(self.patterns)} URL patterns, "
            f"{len(self.deep)} of them fuzzed in depth; statuses {dict(sorted(self.statuses.items()))}; "
            f"{len(self.failures)} server errors; {seconds:.0f} s"
        )


def learn_names(path, responses):
    """The GET and POST names the view read, plus those in the page's own links and forms."""
    page = PageNames(path)
    for response in responses:
        if "html" in response.headers.get("Content-Type", ""):
            page.feed(response.content.decode(errors="replace"))
    get_names, post_names = set(page.get_names), set(page.post_names)
    for response in responses:
        get_read, post_read = getattr(response, "read_names", (set(), set()))
        get_names |= get_read
        post_names |= post_read
    return sorted(get_names), sorted(post_names | {"next"}), page.file_names


def fuzz_in_depth(fuzz, role, route, values, get_names, post_names, file_names):
    """Each path argument and query parameter with odd values; HEAD, OPTIONS, odd bodies and headers."""
    path = route.path(values)
    for argument in route.arguments:
        odd = [*EVERY_TIME, *fuzz.in_turn(), *(NUMBERS if argument.takes_only_digits else [])]
        for value in odd:
            fuzz.send(role, route, "GET", route.path({**values, argument.name: value}))
    # A NUL anywhere is refused before any view; one request with it in every parameter shows it.
    if get_names:
        fuzz.send(role, route, "GET", f"{path}?" + form_body([(name, "a\x00b") for name in get_names]))
    for index, name in enumerate(get_names):
        # The lone surrogate and the 10,000 characters take turns; NUL was just tried above.
        for value in [EVERY_TIME[1 + index % 2], *fuzz.in_turn()]:
            fuzz.send(role, route, "GET", f"{path}?{encoded(name)}={encoded(value)}")
    fuzz.send(role, route, "HEAD", path)
    fuzz.send(role, route, "OPTIONS", path)
    # As in the query string: NUL in every field at once, then the other odd values in turn.
    for value in ["a\x00b", [*EVERY_TIME[1:], *fuzz.in_turn()][fuzz.requests.total() % 3]]:
        body = form_body([(name, value) for name in post_names])
        fuzz.send(role, route, "POST", path, data=body, content_type=URLENCODED)
    plain = next(value for value in fuzz.turn if is_storable(value))
    multipart = dict.fromkeys(post_names, plain)
    multipart.update({name: FakeUpload(name) for name in file_names | {"image"}})
    fuzz.send(role, route, "POST", path, data=multipart)
    odd_bodies = [
        # NUL and a lone surrogate spelled in UTF-16, which Django refuses to decode forms from.
        {"data": form_body([(name, "\x00\ud800") for name in post_names], "utf-16-le"),
         "content_type": f"{URLENCODED}; charset=utf-16-le"},
        {"data": b"--x\r\n", "content_type": "multipart/form-data"},
        {"data": b"--x\r\nContent-Disposition: form-data; name=\"a\x00\"\r\n\r\n\x00\r\n--x--\r\n",
         "content_type": "multipart/form-data; boundary=x"},
    ]  # fmt: skip
    fuzz.send(role, route, "POST", path, **odd_bodies[fuzz.requests.total() % len(odd_bodies)])
    fuzz.send(role, route, "GET", path, headers=ODD_HEADERS[fuzz.requests.total() % len(ODD_HEADERS)])


def fuzz_route(fuzz, route, world):
    """Each role in turn: the page as a browser asks for it, then odd requests.

    The first role that gets past the login check fuzzes the page in depth; the roles after it
    (who see more of the same page) get one odd query string and one odd form each, with the
    names learnt in depth.
    """
    values = {argument.name: world.value_for(route, argument) for argument in route.arguments}
    path = route.path(values)
    names = None
    for role in ROLES:
        page = fuzz.send(role, route, "GET", path)
        if not reached_the_view(page):
            if role == "anonymous":
                # Only the login check answers; odd text must not get past it as an error either.
                first = route.arguments[0].name if route.arguments else None
                odd_path = route.path({**values, first: "a\x00b"}) if first else f"{path}?next=%00"
                fuzz.send(role, route, "GET", odd_path)
            continue
        if names is None:
            blank_post = fuzz.send(role, route, "POST", path)
            names = learn_names(path, [page, blank_post])
            fuzz.deep[route.template] = role
            fuzz_in_depth(fuzz, role, route, values, *names)
            continue
        get_names, post_names, _file_names = names
        if get_names:
            query = form_body([(name, next(fuzz.turn)) for name in get_names])
            fuzz.send(role, route, "GET", f"{path}?{query}")
        body = form_body([(name, next(fuzz.turn)) for name in post_names])
        fuzz.send(role, route, "POST", path, data=body, content_type=URLENCODED)


def test_no_odd_request_gets_a_server_error(world, settings, record_property):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, f"{__name__}.RecordReadParameters"]
    clients = {role: Client(raise_request_exception=False) for role in ROLES}
    for role in ROLES[1:]:
        clients[role].force_login(world.users[role])
    fuzz = Fuzz(clients)
    routes = list(every_route())
    started = time.monotonic()
    for route in routes:
        fuzz_route(fuzz, route, world)
    summary = fuzz.report(time.monotonic() - started)
    print(summary)
    record_property("fuzz_summary", summary)
    record_property("fuzz_requests", fuzz.requests.total())
    record_property("fuzz_patterns", len(fuzz.patterns))
    record_property("fuzz_server_errors", len(fuzz.failures))
    assert not fuzz.failures, f"{summary}\n\n" + "\n".join(fuzz.failures[:20])
    # The walk found the site's pages and asked for every one: not a test that tried nothing.
    assert len(routes) >= 100, summary
    assert fuzz.patterns == {route.template for route in routes}, summary
    assert len(fuzz.deep) >= 0.9 * len(routes), summary
    assert fuzz.requests.total() >= 15 * len(routes), summary


# ../shared/corpora/ beside the project, as in the corpora README.
XSS_PAYLOADS = (
    Path(__file__).resolve().parents[2] / "shared" / "corpora" / "xss-payloads" / "xss-payload-list.txt"
)
XSS_SAMPLE = 160  # payloads drawn (the same ones every run), a dozen of them per parameter


def test_xss_payloads_in_public_parameters_come_back_escaped_if_at_all(world, settings, record_property):
    """The public corpus of XSS payloads in every parameter and text argument of the public pages:
    no server error, and no HTML page that shows a payload as markup rather than as text."""
    if not XSS_PAYLOADS.exists():
        pytest.skip(f"{XSS_PAYLOADS} is not there (../shared/corpora/ is read at test time)")
    lines = [line for line in XSS_PAYLOADS.read_text(errors="replace").splitlines() if "<" in line]
    payloads = itertools.cycle(random.Random(17).sample(lines, XSS_SAMPLE))
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, f"{__name__}.RecordReadParameters"]
    fuzz = Fuzz({"anonymous": Client(raise_request_exception=False)})
    reflected = []
    for route in every_route():
        values = {argument.name: world.value_for(route, argument) for argument in route.arguments}
        path = route.path(values)
        page = fuzz.send("anonymous", route, "GET", path)
        if not reached_the_view(page) or route.template.startswith("/admin/"):
            continue
        get_names, _post_names, _file_names = learn_names(path, [page])
        slots = [(name, None) for name in get_names]
        slots += [(None, argument) for argument in route.arguments if not argument.takes_only_digits]
        for name, argument in slots:
            for payload in itertools.islice(payloads, 12):
                url = (
                    f"{path}?{encoded(name)}={encoded(payload)}"
                    if name
                    else route.path({**values, argument.name: payload})
                )
                response = fuzz.send("anonymous", route, "GET", url)
                html = "html" in response.headers.get("Content-Type", "")
                if html and payload in response.content.decode(errors="replace"):
                    reflected.append(f"{url[:200]!r} shows {payload!r} unescaped")
    summary = (
        f"fuzz with {XSS_SAMPLE} XSS payloads: {fuzz.requests.total()} requests over "
        f"{len(fuzz.patterns)} URL patterns; {len(fuzz.failures)} server errors, "
        f"{len(reflected)} payloads shown unescaped"
    )
    print(summary)
    record_property("fuzz_summary", summary)
    assert not fuzz.failures, f"{summary}\n\n" + "\n".join(fuzz.failures[:20])
    assert not reflected, "\n".join(reflected[:20])
    assert fuzz.requests.total() >= 300, summary
