"""Reading RSS/Atom documents with feedparser into plain entries, and finding a page's feed.

feedparser is thorough but not built for hostile input: some of its regular expressions take
time quadratic in the input (the XML declaration's, run over a one-line document; the e-mail
finder, run over an author's name; the DOCTYPE finder, run over a prolog of blank lines).
So a document reaches it only after prepare_document(): decoded by us, with the charset found
the way a browser would (BOM, HTTP header, declaration, UTF-8, then detection), re-encoded as
UTF-8 behind a one-line declaration of our own, with its prolog's whitespace collapsed and its
author fields cut to a sane length. What is left costs time in proportion to the document,
which INGEST_MAX_BYTES bounds; the ingest task's time limits bound the rest.
"""

import calendar
import codecs
import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from urllib.parse import urljoin

import feedparser
from charset_normalizer import from_bytes
from django.conf import settings

from . import messages

CHARSET_RE = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
FEED_TYPES = {"application/atom+xml", "application/rss+xml", "application/rdf+xml", "application/feed+json"}
# The XML declaration, looked for only where it may stand and only so far: bounded patterns,
# so a document that opens "<?xml" and never closes it costs nothing.
XML_DECLARATION_RE = re.compile(rb"\A\s{0,64}<\?xml\s[^>]{0,500}?\?>")
DECLARED_ENCODING_RE = re.compile(rb"""encoding\s*=\s*["']([A-Za-z][\w.:-]{0,40})["']""")
TEXT_DECLARATION_RE = re.compile(r"\A\s{0,64}<\?xml\s[^>]{0,500}?\?>")
OUR_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'
# Byte patterns of "<?" in the encodings that are not ASCII-compatible (XML 1.0, appendix F).
UNMARKED_ENCODINGS = [
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00<\x00?", "utf-16-be"),
    (b"<\x00?\x00", "utf-16-le"),
    (b"\x4c\x6f\xa7\x94", "cp037"),  # EBCDIC
]
BOMS = [
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
]
# Labels that promise less than feeds deliver. Chinese feeds often declare GB2312 or GBK but use
# characters only GB18030 has, Big5 ones use the Hong Kong and Microsoft extensions, and "Latin-1"
# feeds use Windows-1252's quotes and dashes; reading with the superset keeps them (browsers do
# the same), the plain label being the last resort.
SUPERSETS = {  # keyed by Python's name for the codec a label means ("latin-1" is "iso8859-1")
    "gb2312": ["gb18030"],
    "gbk": ["gb18030"],  # also "cp936"
    "x-gbk": ["gb18030"],
    "big5": ["big5hkscs", "cp950", "big5"],
    "iso8859-1": ["cp1252", "latin-1"],
    "ascii": ["cp1252", "latin-1"],
}
# Charsets a web server puts on a feed by default (Apache's AddDefaultCharset), whatever it
# holds: a body that is valid UTF-8 under them is UTF-8.
SERVER_DEFAULT_CODECS = {"iso8859-1", "ascii", "cp1252"}
# How much of the document, from its first non-ASCII byte, charset detection looks at.
DETECTION_SAMPLE = 64 * 1024
# feedparser looks for an e-mail address in an RSS author's text with a pattern quadratic in
# its length (16 KB takes seconds); we keep 200 characters of an author anyway.
AUTHOR_FIELD_CHARS = 300
AUTHOR_FIELD_RE = re.compile(
    r"<(?:[A-Za-z_][\w.-]{0,40}:)?"
    r"(?:author|creator|managingEditor|webMaster|publisher|owner|contributor|name|email)"
    r"(?=[\s>])[^<>]*(?<!/)>",
    re.IGNORECASE,
)
PROLOG_WHITESPACE_RE = re.compile(r"\s{2,}")


@dataclass
class Entry:
    """One feed entry, reduced to what a post needs."""

    guid: str
    link: str
    title: str
    html: str
    published: datetime | None
    updated: datetime | None
    tags: list = field(default_factory=list)
    author: str = ""


@dataclass
class ParsedFeed:
    """A parsed feed: its title and site, its entries, and any problems met while reading."""

    title: str
    site_url: str
    entries: list
    warning: str = ""
    is_feed: bool = True


@dataclass
class PreparedDocument:
    """A feed document made safe to hand to feedparser: UTF-8 bytes, and how they were read."""

    body: bytes
    content_type: str
    encoding: str  # the codec the original bytes were decoded with
    warning: str = ""


def _codec_name(label):
    try:
        return codecs.lookup(label).name
    except LookupError:
        return ""


def _candidates(label):
    """The codecs to try, in order, for a charset `label` (supersets first); unknown labels give []."""
    label = label.strip().lower()
    names = SUPERSETS.get(_codec_name(label) or label) or [label]
    return [name for name in (_codec_name(name) for name in names) if name]


def _decodes(body, codec):
    try:
        return body.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _detected_codec(body):
    """The charset charset-normalizer finds in a sample of `body` around its non-ASCII text, or "".

    It reads at most DETECTION_SAMPLE bytes from a tag boundary ("<" is never part of a
    multi-byte character in the encodings that matter) before the first non-ASCII byte: on a
    whole large document it is slow, and on a mostly-ASCII one it guesses wildly.
    """
    first = re.search(rb"[\x80-\xff]", body)
    if first is None:
        return ""
    start = max(body.rfind(b"<", 0, first.start()), 0)
    sample = body[start : start + DETECTION_SAMPLE]
    if len(body) > start + DETECTION_SAMPLE:
        sample = sample[: sample.rfind(b"<")] or sample
    match = from_bytes(sample).best()
    return _codec_name(match.encoding) if match else ""


def decode_document(body, content_type=""):
    """Return (text, codec, warning): the feed `body` decoded, and how.

    The order is a browser's: a byte-order mark, the HTTP charset, the XML declaration, UTF-8
    (XML's default), then detection, each kept only if it decodes the whole body. Two
    exceptions, for the way feeds are served: a charset label a server adds by default
    (ISO-8859-1) yields to UTF-8 when the body is valid UTF-8, and text/xml without a charset
    is not read as US-ASCII, as RFC 3023 would have it.
    """
    for bom, codec in BOMS:
        if body.startswith(bom):  # as for browsers, a byte-order mark settles it
            text = body[len(bom) :].decode(codec, errors="replace")
            return text, codec, "" if "\ufffd" not in text else messages.BYTES_REPLACED % {"codec": codec}
    for marker, codec in UNMARKED_ENCODINGS:
        if body.startswith(marker):
            text = _decodes(body, codec)
            if text is not None:
                return text, codec, ""
    header = CHARSET_RE.search(content_type or "")
    header_label = header.group(1).lower() if header else ""
    declaration = XML_DECLARATION_RE.match(body)
    declared = declaration and DECLARED_ENCODING_RE.search(declaration.group())
    declared_label = declared.group(1).decode("ascii").lower() if declared else ""
    if _codec_name(header_label) in SERVER_DEFAULT_CODECS and re.search(rb"[\x80-\xff]", body):
        text = _decodes(body, "utf-8")
        if text is not None:
            return text, "utf-8", ""
    for label in filter(None, [header_label, declared_label]):
        for codec in _candidates(label):
            text = _decodes(body, codec)
            if text is not None:
                return text, codec, ""
    text = _decodes(body, "utf-8")
    if text is not None:
        return text, "utf-8", ""
    declared_labels = " or ".join(filter(None, [header_label, declared_label]))
    problem = (
        messages.WRONG_ENCODING % {"labels": declared_labels} if declared_labels else messages.NO_ENCODING
    )
    detected = _detected_codec(body)
    if detected:
        text = _decodes(body, detected)
        if text is not None:
            return text, detected, f"{problem}; " + messages.ENCODING_GUESSED % {"codec": detected}
    codec = (_candidates(header_label or declared_label) or ["utf-8"])[0]
    return (
        body.decode(codec, errors="replace"),
        codec,
        f"{problem}; " + messages.BYTES_REPLACED % {"codec": codec},
    )


def _cap_author_fields(text):
    """`text` with the text of every author-like element cut to AUTHOR_FIELD_CHARS.

    One pass: each element's text (up to the next "<", or its CDATA section) is looked at once.
    A cut never splits a character reference, which would make the document ill-formed.
    """
    pieces = []
    kept_until = 0  # text[:kept_until] is in pieces
    seen_until = 0  # no element text before this is looked at again
    for match in AUTHOR_FIELD_RE.finditer(text):
        start = match.end()
        if start < seen_until:
            continue
        if text.startswith("<![CDATA[", start):
            start += len("<![CDATA[")
            end = text.find("]]>", start)
            if end < 0:
                break  # no CDATA section ends after here, nor will one further on
        else:
            end = text.find("<", start)
            end = len(text) if end < 0 else end
        seen_until = end
        if end - start <= AUTHOR_FIELD_CHARS:
            continue
        cut = start + AUTHOR_FIELD_CHARS
        ampersand = text.rfind("&", cut - 32, cut)
        if ampersand >= 0 and ";" not in text[ampersand:cut]:
            cut = ampersand
        pieces.append(text[kept_until:cut])
        kept_until = end
    pieces.append(text[kept_until:])
    return "".join(pieces)


def _collapse_prolog(text):
    """`text` with each run of whitespace before its first element cut to one character.

    feedparser scans that part (up to the first "<" followed by a letter) line by line for
    DOCTYPE and ENTITY declarations with a pattern that costs the square of the number of
    blank lines; whitespace there means nothing. A run keeps one newline if it had one, so
    declarations that started a line still do.
    """
    first_element = re.search(r"<\w", text)
    end = first_element.start() if first_element else 0
    prolog = PROLOG_WHITESPACE_RE.sub(lambda run: "\n" if "\n" in run.group() else " ", text[:end])
    return prolog + text[end:]


def prepare_document(body, content_type=""):
    """The PreparedDocument for feed bytes `body` served as `content_type` (see the module's notes)."""
    text, codec, warning = decode_document(body, content_type)
    text = TEXT_DECLARATION_RE.sub("", text.lstrip("\ufeff"), count=1)
    text = OUR_DECLARATION + _collapse_prolog(text.lstrip())
    text = _cap_author_fields(text)
    media_type = (content_type or "").split(";", 1)[0].strip() or "application/xml"
    return PreparedDocument(
        text.encode("utf-8", errors="replace"), f"{media_type}; charset=utf-8", codec, warning
    )


def _moment(parsed_time):
    if not parsed_time:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(parsed_time), tz=UTC)
    except (OverflowError, ValueError, TypeError):
        return None


def _entry_html(entry):
    for content in entry.get("content") or []:
        if content.get("value"):
            return content["value"]
    return entry.get("summary") or entry.get("description") or ""


def _entry_guid(entry, html):
    """The entry's id, else its link, else a hash of its title and content."""
    for key in ("id", "guid", "link"):
        value = (entry.get(key) or "").strip()
        if value:
            return value[:1000]
    digest = hashlib.sha256(f"{entry.get('title', '')}\n{html}".encode()).hexdigest()
    return f"sha256:{digest}"


def _joined(base, href):
    """`href` made absolute against `base`, or "" if it cannot be (e.g. "http://[::1")."""
    try:
        return urljoin(base, href)
    except ValueError:
        return ""


def parse_feed(body, content_type="", url=""):
    """Parse feed bytes; an ill-formed feed yields what could be read plus a warning.

    A document over INGEST_MAX_BYTES is not read at all (fetch() never returns one).
    """
    limit = settings.INGEST_MAX_BYTES
    if len(body) > limit:
        return ParsedFeed(
            "", "", [], messages.TOO_LARGE % {"size": f"{len(body):,}", "limit": f"{limit:,}"}, False
        )
    document = prepare_document(body, content_type)
    parsed = feedparser.parse(
        document.body,
        response_headers={"content-type": document.content_type, "content-location": url},
        sanitize_html=False,  # sanitized by our own allowlist after formulas are lifted out
        resolve_relative_uris=True,
    )
    warning = document.warning
    if parsed.get("bozo"):
        problem = f"{type(parsed.get('bozo_exception')).__name__}: {parsed.get('bozo_exception')}"
        warning = "; ".join(filter(None, [warning, problem]))[:500]
    entries = []
    for raw in parsed.entries:
        html = _entry_html(raw)
        link = _joined(url, (raw.get("link") or "").strip()) if raw.get("link") else ""
        entries.append(
            Entry(
                guid=_entry_guid(raw, html),
                link=link,
                title=" ".join((raw.get("title") or "").split())[:200],
                html=html,
                published=_moment(raw.get("published_parsed")) or _moment(raw.get("updated_parsed")),
                updated=_moment(raw.get("updated_parsed")),
                tags=[tag.get("term", "").strip()[:100] for tag in raw.get("tags") or [] if tag.get("term")],
                author=(raw.get("author") or "")[:200],
            )
        )
    feed = parsed.get("feed", {})
    is_feed = bool(parsed.get("version")) or bool(entries)
    return ParsedFeed(
        title=" ".join((feed.get("title") or "").split())[:200],
        site_url=(feed.get("link") or "")[:1000],
        entries=entries,
        warning=warning if is_feed else "",
        is_feed=is_feed,
    )


class _AlternateLinks(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        if tag != "link":
            return
        attributes = {name: (value or "") for name, value in attrs}
        rel = attributes.get("rel", "").lower().split()
        kind = attributes.get("type", "").lower().split(";")[0].strip()
        if "alternate" in rel and kind in FEED_TYPES and attributes.get("href"):
            self.found.append(attributes["href"])


def discover_feed_urls(html_bytes, page_url):
    """The feed URLs a web page advertises with <link rel="alternate" type="…+xml">."""
    parser = _AlternateLinks()
    parser.feed(html_bytes.decode("utf-8", errors="replace")[:500_000])
    return [url for url in (_joined(page_url, href) for href in parser.found) if url]
