"""Ingest every document of feedparser's test corpus through add_source + poll, and count what goes wrong.

Usage: python bench/feed_corpus.py [--corpus PATH] [--examples N]

Each of the 2,107 files of ../shared/corpora/feedparser-feeds/ is served from a loopback HTTP
server with the headers its `Header:` comment names (as feedparser's own test harness serves
them), added as a source with blog.ingest.sources.add_source and polled with poll_source. Then
the stored posts and sources, our Atom, RSS and JSON feeds of them (/feeds/latest.*) and the RSS
feeds of tags whose names hold "<", ">" or "&" are read for:

- crashes: an exception out of add_source or poll_source, an entry the poll could not store, a
  feed that did not answer 200, a source that add_source took and the poll then refused;
- dangerous constructs: script-capable elements, event handlers, script in styles, and URLs of
  any scheme but http(s) in stored HTML and in the HTML our feeds carry (and any markup in a tag
  feed's channel description);
- titles (of posts, and of sources as add_source stored them) and tag names that are not plain
  text: markup or character references left in that feedparser's own reading does not hold;
- non-http(s) links anywhere: post and source URLs, and every link of our three feeds;
- lost text: words that feedparser's own sanitizer keeps in an entry and our post lacks
  (entries_missing_text_explained: those where feedparser shows what a browser would not);
- source_fields_filled_by_poll: a source title or site URL that poll_source filled in later
  and that fails the checks above.

The files go in rounds of CORPUS_ROUND, each round's posts and sources deleted once checked.
tests/blog/test_ingest_corpus.py (make test-corpus) asserts the counts; this script prints them
with examples, in a database of its own (<DATABASE_URL's name>_corpus), in one transaction that
is rolled back.
"""

import argparse
import json
import os
import re
import sys
import threading
import time
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from html import unescape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CORPUS = ROOT.parent / "shared" / "corpora" / "feedparser-feeds"

# As feedparser's harness reads them: "Header: Content-type: text/xml; charset=…" lines.
HEADER_RE = re.compile(r"^Header:\s+([^:]+):(.*)$", re.MULTILINE)
DEFAULT_CONTENT_TYPES = {".xml": "application/xml", ".json": "application/json"}
CORPUS_ROUND = 200

# What no HTML from outside may carry once we have stored or re-published it.
DANGEROUS_ELEMENTS = {
    "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "form", "input",
    "button", "textarea", "select", "option", "base", "meta", "link", "svg", "template", "noscript",
    "xmp", "plaintext", "noembed", "noframes", "portal", "audio", "video", "source", "track",
    "canvas", "dialog", "param", "isindex", "bgsound", "layer", "ilayer", "xml", "import",
}  # fmt: skip
URL_ATTRIBUTES = {
    "href", "src", "srcset", "action", "formaction", "poster", "background", "cite", "data",
    "xlink:href", "lowsrc", "dynsrc", "longdesc", "usemap", "manifest", "ping", "codebase",
    "classid", "profile", "archive", "icon", "srcdoc",
}  # fmt: skip
STYLE_SCRIPT_RE = re.compile(r"expression|javascript|vbscript|url\s*\(|behavior|binding|@import", re.I)
# Markup in a title: a closing tag, a tag with attributes or self-closed, a comment or doctype.
# ("History of the <blink> tag" is a title about a tag, not markup.)
MARKUP_RE = re.compile(r"</[A-Za-z][\w:-]*\s*>|<[A-Za-z][\w:-]*(?:\s+[\w:-]+\s*=|\s*/>)|<!")
ENTITY_RE = re.compile(r"&(?:#\d+|#[xX][0-9A-Fa-f]+|[A-Za-z][A-Za-z0-9]*);")
# feedparser's sanitizer shows text a browser does not, in these five copies of one pasted web
# page: its <head>'s <title>, and the source of a script whose tag spans lines ("<script\n\n>"),
# which feedparser's parser does not take for a tag. Our posts show neither, as a browser would not.
FEEDPARSER_SHOWS_MORE = {
    f"wellformed/sanitize/{name}_crazy.xml"
    for name in (
        "entry_content",
        "entry_summary",
        "item_content_encoded",
        "item_description",
        "item_fullitem",
    )
}
ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT_ENCODED = "{http://purl.org/rss/1.0/modules/content/}encoded"


def corpus_files(root=CORPUS):
    """Every feed document of the corpus, in a stable order (the license is not one)."""
    return sorted(path for path in Path(root).rglob("*") if path.is_file() and path.name != "LICENSE")


def served_headers(path, body):
    """The response headers the file's `Header:` comment names, with a Content-Type by default."""
    headers = {}
    for name, value in HEADER_RE.findall(body.decode("latin-1")):
        headers[name.strip().title()] = value.strip()
    headers.setdefault("Content-Type", DEFAULT_CONTENT_TYPES.get(path.suffix, "application/xml"))
    return headers


class CorpusServer:
    """A threaded HTTP server on loopback that serves the corpus files with their headers."""

    def __init__(self, root=CORPUS):
        root = Path(root)

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                path = (root / unquote(urlsplit(self.path).path).lstrip("/")).resolve()
                if root.resolve() not in path.parents or not path.is_file():
                    self.send_error(404)
                    return
                body = path.read_bytes()
                self.send_response(200)
                for name, value in served_headers(path, body).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.root = root
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url_for(self, path):
        return f"{self.base_url}/{quote(str(Path(path).relative_to(self.root)))}"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@dataclass
class Counts:
    """What went wrong, by kind, with the first few examples of each."""

    files: int = 0
    sources: int = 0
    posts: int = 0
    entries_compared: int = 0
    not_feeds: int = 0  # add_source said "not a feed": an answer, not a failure
    problems: Counter = field(default_factory=Counter)
    examples: dict = field(default_factory=dict)
    max_examples: int = 5

    KINDS = (
        "crashes",
        "dangerous_in_stored_html",
        "dangerous_in_feeds",
        "titles_not_plain",
        "tag_names_not_plain",
        "non_http_links",
        "entries_missing_text",
        "entries_missing_text_explained",
        "source_fields_filled_by_poll",
    )

    def add(self, kind, example):
        self.problems[kind] += 1
        shown = self.examples.setdefault(kind, [])
        if len(shown) < self.max_examples:
            shown.append(str(example)[:300])

    def as_dict(self):
        return {kind: self.problems[kind] for kind in self.KINDS}


# --- checks ------------------------------------------------------------------------------------


def _soup(html):
    from bs4 import BeautifulSoup

    return BeautifulSoup(html or "", "html.parser")


def is_http_url(url):
    """True for an absolute http(s) URL as our links must be: validated and already encoded."""
    from blog.ingest.links import http_url

    return bool(url) and http_url(url) == url


def _url_scheme(value):
    # As a browser reads it: edges trimmed, tabs and newlines inside ignored.
    cleaned = re.sub(r"[\t\n\r]", "", value.strip("\x00\x20\t\n\r\f"))
    try:
        return urlsplit(cleaned).scheme.lower(), cleaned
    except ValueError:
        return "invalid", cleaned


def dangerous_constructs(html, allow_fragments=False):
    """Every dangerous element, attribute, style and non-http(s) URL in `html`, as short labels."""
    found = []
    for element in _soup(html).find_all(True):
        name = element.name.lower()
        if name in DANGEROUS_ELEMENTS and not (
            name == "input" and element.get("type") == "checkbox" and element.has_attr("disabled")
        ):
            found.append(f"<{name}>")
        for attribute, value in element.attrs.items():
            attribute = attribute.lower()
            value = " ".join(value) if isinstance(value, list) else str(value)
            if attribute.startswith("on"):
                found.append(f"{name}@{attribute}")
            elif attribute == "style" and STYLE_SCRIPT_RE.search(re.sub(r"/\*.*?\*/|\\", "", value)):
                found.append(f"{name}@style={value[:60]}")
            elif attribute in URL_ATTRIBUTES:
                scheme, cleaned = _url_scheme(value)
                if scheme in {"http", "https"} and urlsplit(cleaned).netloc:
                    continue
                if allow_fragments and cleaned.startswith("#"):
                    continue  # our own heading anchors on the post page
                found.append(f"{name}@{attribute}={value[:60]}")
    return found


# Text that sanitized HTML holds but a browser does not show in the page: MathML's TeX
# annotation, a pasted document's <title>, an SVG image's <title>, <desc> and <metadata>.
HIDDEN_ELEMENTS = ["annotation", "script", "style", "title", "desc", "metadata"]
_NOT_A_WORD_RE = re.compile(r"[\W_]+")


def visible_words(html):
    """The words a reader sees in sanitized HTML: letters and digits, punctuation left out."""
    soup = _soup(html)
    for hidden in soup.find_all(HIDDEN_ELEMENTS):
        hidden.decompose()
    words = (_NOT_A_WORD_RE.sub("", word) for word in soup.get_text(" ").split())
    return [word for word in words if word]


def visible_text_without_spaces(html):
    return "".join(visible_words(html))


def plain_title_of(detail_value, detail_type):
    """feedparser's title as plain text: its HTML read for text when feedparser says it is HTML."""
    from blog.ingest.plain_text import without_control_characters

    value = detail_value or ""
    if "html" in (detail_type or ""):
        value = _soup(value).get_text()
    return " ".join(without_control_characters(value).split())


def undecoded_entities(text):
    """The character references in `text` that mean a character (not "&nosuchentity;")."""
    return [match for match in ENTITY_RE.findall(text) if unescape(match) != match]


def check_title(counts, label, stored, expected, kind="titles_not_plain"):
    """Count a stored title holding markup or an undecoded entity the feed did not mean literally.

    `expected` is feedparser's title read as the type it declares: markup or entities it holds
    as text (a double-escaped "&amp;lt;b&amp;gt;") may stay.
    """
    if (MARKUP_RE.search(stored) and not MARKUP_RE.search(expected)) or (
        undecoded_entities(stored) and not undecoded_entities(expected)
    ):
        counts.add(kind, f"{label}: {stored!r} (feedparser: {expected!r})")


def feedparser_entry_html(entry):
    """The entry HTML feedparser's sanitizer kept, chosen as parse.py chooses ours."""
    for content in entry.get("content") or []:
        if content.get("value"):
            return content["value"]
    return entry.get("summary") or entry.get("description") or ""


# --- one corpus file ------------------------------------------------------------------------------


def ingest_file(counts, server, path):
    """add_source + poll_source for one file, then check its source and posts."""
    import feedparser

    from blog.ingest.parse import parse_feed, prepare_document
    from blog.ingest.poll import poll_source
    from blog.ingest.sources import SourceError, add_source
    from blog.models import Post

    counts.files += 1
    url = server.url_for(path)
    label = str(path.relative_to(server.root))
    try:
        source = add_source(url)
    except SourceError:
        counts.not_feeds += 1
        return
    except Exception as error:
        counts.add("crashes", f"{label}: add_source: {type(error).__name__}: {error}")
        return
    counts.sources += 1
    added = {"title": source.title, "site_url": source.site_url}
    try:
        result = poll_source(source.pk)
    except Exception as error:
        counts.add("crashes", f"{label}: poll_source: {type(error).__name__}: {error}")
        return
    if result.status != "stored":
        counts.add("crashes", f"{label}: poll {result.status}: {result.error}")
    for failure in result.report.failed:
        counts.add("crashes", f"{label}: entry failed: {failure}")

    source.refresh_from_db()
    for attribute in ("feed_url", "site_url"):
        value = getattr(source, attribute)
        if value and not is_http_url(value):
            kind = "source_fields_filled_by_poll" if value != added.get(attribute) else "non_http_links"
            counts.add(kind, f"{label}: source.{attribute} = {value!r}")

    body = path.read_bytes()
    content_type = served_headers(path, body)["Content-Type"]
    # feedparser with its sanitizer on, given the very document parse.py gives it (decoded as
    # parse.py decodes it), so that what differs is what our conversion kept.
    document = prepare_document(body, content_type)
    reference = feedparser.parse(
        document.body,
        response_headers={"content-type": document.content_type, "content-location": url},
        resolve_relative_uris=True,
        sanitize_html=True,
    )
    feed_detail = reference.feed.get("title_detail") or {}
    feed_title = plain_title_of(feed_detail.get("value"), feed_detail.get("type"))
    check_title(counts, f"{label} (source as added)", added["title"], feed_title)
    if source.title != added["title"]:
        check_title(counts, label, source.title, feed_title, kind="source_fields_filled_by_poll")

    posts = {post.source_guid: post for post in Post.objects.filter(source=source).prefetch_related("tags")}
    counts.posts += len(posts)
    for post in posts.values():
        for problem in dangerous_constructs(post.body_html, allow_fragments=True):
            counts.add("dangerous_in_stored_html", f"{label}: {problem}")
        if post.original_url and not is_http_url(post.original_url):
            counts.add("non_http_links", f"{label}: post.original_url = {post.original_url!r}")
        for tag in post.tags.all():
            if MARKUP_RE.search(tag.name) or undecoded_entities(tag.name):
                counts.add("tag_names_not_plain", f"{label}: tag {tag.name!r}")

    ours = parse_feed(body, content_type, url).entries
    if len(ours) != len(reference.entries):
        return  # bounded differently by parse.py: nothing to pair entry by entry
    for entry, reference_entry in zip(ours, reference.entries, strict=True):
        post = posts.get(entry.guid)
        if post is None:
            continue  # a repeated guid: stored once
        counts.entries_compared += 1
        title_detail = reference_entry.get("title_detail") or {}
        expected_title = plain_title_of(title_detail.get("value"), title_detail.get("type"))
        if expected_title:
            check_title(counts, label, post.title, expected_title)
        shown = visible_text_without_spaces(post.body_html)
        missing = [
            word for word in visible_words(feedparser_entry_html(reference_entry)) if word not in shown
        ]
        if missing:
            kind = (
                "entries_missing_text_explained" if label in FEEDPARSER_SHOWS_MORE else "entries_missing_text"
            )
            counts.add(kind, f"{label}: missing {missing[:8]}")


# --- our feeds ------------------------------------------------------------------------------------


def check_feed_html(counts, label, html):
    for problem in dangerous_constructs(html):
        counts.add("dangerous_in_feeds", f"{label}: {problem}")


def check_feed_link(counts, label, url):
    if url is not None and not is_http_url(url):
        counts.add("non_http_links", f"{label}: {url!r}")


def check_our_feeds(counts, client):
    """Read /feeds/latest.atom, .rss and .json (holding every post) and the suspect tags' RSS feeds."""
    from blog.models import Post, Tag

    responses = {}
    for kind in ("atom", "rss", "json"):
        response = client.get(f"/feeds/latest.{kind}")
        if response.status_code != 200:
            counts.add("crashes", f"/feeds/latest.{kind} answered {response.status_code}")
            return
        responses[kind] = response.content

    atom = ET.fromstring(responses["atom"])  # noqa: S314 - our own output
    for link in atom.iter(f"{ATOM}link"):
        check_feed_link(counts, "atom link", link.get("href"))
    for entry in atom.iter(f"{ATOM}entry"):
        for name in ("content", "summary"):
            element = entry.find(f"{ATOM}{name}")
            if element is not None:
                check_feed_html(counts, f"atom {name}", element.text)

    rss = ET.fromstring(responses["rss"])  # noqa: S314 - our own output
    for item in rss.iter("item"):
        for name in ("description", CONTENT_ENCODED):
            element = item.find(name)
            if element is not None:
                check_feed_html(counts, "rss content", element.text)
        check_feed_link(counts, "rss link", item.findtext("link"))
        source = item.find("source")
        if source is not None:
            check_feed_link(counts, "rss source", source.get("url"))

    feed = json.loads(responses["json"])
    for item in feed["items"]:
        check_feed_html(counts, "json content_html", item.get("content_html"))
        check_feed_link(counts, "json url", item.get("url"))
        check_feed_link(counts, "json external_url", item.get("external_url"))

    published = Post.objects.published()
    for tag in Tag.objects.filter(tagged_posts__content_object__in=published.values("pk")).distinct():
        if not re.search(r"[<>&]", tag.name):
            continue
        response = client.get(f"/tags/{tag.slug}/feed.rss")
        if response.status_code != 200:
            counts.add("crashes", f"tag feed {tag.slug} answered {response.status_code}")
            continue
        description = ET.fromstring(response.content).findtext("channel/description")  # noqa: S314
        if _soup(description).find(True) is not None:
            counts.add("dangerous_in_feeds", f"tag feed description {description!r}")


def ingest_corpus(client, root=CORPUS, files_per_round=CORPUS_ROUND, progress=None, max_examples=5):
    """Ingest and check every file of the corpus, and our feeds of them; returns the Counts.

    Django must be set up with INGEST_ALLOW_PRIVATE on, FEED_ITEMS above any round's number of
    posts and the feed cache off. The files go in rounds, and each round's posts and sources are
    deleted once it is checked: the corpus repeats titles ("Example Atom" hundreds of times), and
    the slug of the n-th post of one title costs n queries (blog/slugs.py unique_slug).
    """
    from blog.models import Post, Source

    counts = Counts(max_examples=max_examples)
    server = CorpusServer(root)
    files = corpus_files(root)
    try:
        for start in range(0, len(files), files_per_round):
            for path in files[start : start + files_per_round]:
                ingest_file(counts, server, path)
            check_our_feeds(counts, client)
            Post.objects.all().delete()
            Source.objects.all().delete()
            if progress:
                progress(f"{counts.files} files, {counts.posts} posts")
    finally:
        server.close()
    return counts


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--examples", type=int, default=5, help="examples shown per count")
    options = parser.parse_args()
    if not options.corpus.is_dir():
        raise SystemExit(f"no corpus at {options.corpus}")

    from bench.database import bench_database_url

    bench_database_url("corpus")
    os.environ["INGEST_ALLOW_PRIVATE"] = "true"
    os.environ["FEED_CACHE_SECONDS"] = "0"
    os.environ["FEED_ITEMS"] = "100000"
    os.environ["CACHE_KEY_PREFIX"] = f"feed-corpus-{os.getpid()}"
    # No worker reads this queue; and the run is rolled back, so nothing is ever sent to it.
    os.environ["CELERY_TASK_DEFAULT_QUEUE"] = f"feed-corpus-{os.getpid()}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import transaction
    from django.test import Client

    started = time.perf_counter()
    with transaction.atomic():  # as in the test: on-commit tasks (excerpts, search) never run
        counts = ingest_corpus(
            Client(HTTP_HOST="127.0.0.1"), options.corpus, progress=print, max_examples=options.examples
        )
        transaction.set_rollback(True)
    elapsed = time.perf_counter() - started
    print(
        f"{counts.files} files, {counts.sources} sources, {counts.not_feeds} not feeds, "
        f"{counts.posts} posts, {counts.entries_compared} entries compared with feedparser's "
        f"sanitizer, in {elapsed:.0f} s ({os.cpu_count()} cores)"
    )
    for kind, number in counts.as_dict().items():
        print(f"{kind}: {number}")
        for example in counts.examples.get(kind, [])[: options.examples]:
            print(f"    {example}")


if __name__ == "__main__":
    main()
