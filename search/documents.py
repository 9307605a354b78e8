"""A post's search document: its visible text and its weighted tsvector, as plain values.

The tsvector is written as a literal (``'lexeme':3A,17C …``) from the segmenter's tokens rather
than by ``to_tsvector('simple', …)``: the default parser would cut our tokens again ("gpt-4o"
into three, "c++" into "c") and number positions its own way, while the literal keeps exactly
the lexemes and positions that :mod:`search.query` builds its tsquery from. It is the `simple`
configuration's job (no stemming, no stop list of its own) done in Python.
"""

import re
from html.parser import HTMLParser
from typing import NamedTuple

from .tokenize import get_segmenter

TITLE_WEIGHT = "A"
TAGS_WEIGHT = "B"
BODY_WEIGHT = "C"
CODE_WEIGHT = "D"

# Positions left empty between sections, so that a phrase never runs from the title into tags.
SECTION_GAP = 8
# Postgres limits: positions above 16383 are stored as 16383, at most 256 positions a lexeme.
MAX_POSITION = 16383
MAX_POSITIONS_PER_LEXEME = 256
# Longer "words" are hashes, base64 or minified code: never searched for.
MAX_LEXEME_LENGTH = 60
MAX_CODE_IDENTIFIERS = 200

# Rendered elements whose text is not prose. <pre> is handled apart: its identifiers are kept.
SKIPPED_ELEMENTS = {"script", "style", "math", "annotation", "svg", "template"}
BLOCK_ELEMENTS = {
    "p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "br", "div", "td", "th", "tr",
    "blockquote", "dt", "dd", "figcaption", "hr",
}  # fmt: skip
FENCED_CODE = re.compile(r"^(```|~~~)[^\n]*\n.*?^\1[ \t]*$", re.MULTILINE | re.DOTALL)
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
# Words of code that say nothing about what a post is about.
CODE_NOISE = frozenset(
    """self cls def class return import from print true false none null const function var let
    async await elif else while with pass raise yield lambda break continue try except finally
    global nonlocal assert int str float bool dict list tuple set len range type object args
    kwargs this new public private static void include using namespace std then done echo
    export""".split()  # noqa: SIM905 - a word list reads best as words
)


class SearchDocumentParts(NamedTuple):
    """What gets stored for one post: the tsvector literal and the body's visible text."""

    vector: str
    text: str


class _TextAndCode(HTMLParser):
    """Splits rendered HTML into visible prose and the contents of code blocks."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.prose = []
        self.code = []
        self.skip_depth = 0
        self.pre_depth = 0
        self.in_permalink = False  # the "#" link beside a heading is not prose

    def handle_starttag(self, tag, attrs):
        if tag == "a" and "heading-anchor" in (dict(attrs).get("class") or "").split():
            self.in_permalink = True
        elif tag in SKIPPED_ELEMENTS:
            self.skip_depth += 1
        elif tag == "pre":
            self.pre_depth += 1
        elif tag in BLOCK_ELEMENTS:
            self.prose.append("\n")

    def handle_endtag(self, tag):
        if tag == "a" and self.in_permalink:
            self.in_permalink = False
        elif tag in SKIPPED_ELEMENTS and self.skip_depth:
            self.skip_depth -= 1
        elif tag == "pre" and self.pre_depth:
            self.pre_depth -= 1
            self.code.append("\n")
        elif tag in BLOCK_ELEMENTS:
            self.prose.append("\n")

    def handle_data(self, data):
        if self.skip_depth or self.in_permalink:
            return
        (self.code if self.pre_depth else self.prose).append(data)


def split_prose_and_code(html):
    """Return (prose, code) of rendered HTML: visible text with whitespace collapsed, and code."""
    parser = _TextAndCode()
    parser.feed(html)
    parser.close()
    return " ".join("".join(parser.prose).split()), "".join(parser.code)


def split_markdown_prose_and_code(markdown):
    """Return (prose, code) of Markdown source, for posts whose HTML has not been rendered."""
    code = "\n".join(match.group() for match in FENCED_CODE.finditer(markdown))
    return " ".join(FENCED_CODE.sub(" ", markdown).split()), code


def code_identifiers(code):
    """Return the distinct identifiers of `code` worth finding (``AdamW``, ``torch.compile``)."""
    seen = {}
    for match in IDENTIFIER.finditer(code):
        identifier = match.group()
        lowered = identifier.lower()
        if lowered in seen or lowered in CODE_NOISE:
            continue
        if len(identifier) >= 4 or "." in identifier or "_" in identifier.strip("_"):
            seen[lowered] = identifier
            if len(seen) >= MAX_CODE_IDENTIFIERS:
                break
    return list(seen.values())


def tsvector_literal(sections, segmenter=None):
    """Return a tsvector literal for `sections`, a list of (text, weight, single_characters).

    Sections are numbered one after the other with a gap between them; each lexeme keeps its
    earliest positions, so the title's survive the per-lexeme cap.
    """
    segmenter = segmenter or get_segmenter()
    positions = {}
    offset = 1
    for text, weight, single_characters in sections:
        if not text:
            continue
        last = 0
        for token in segmenter.segment(text, single_characters=single_characters):
            if len(token.lexeme) > MAX_LEXEME_LENGTH:
                continue
            position = min(offset + token.position, MAX_POSITION)
            entries = positions.setdefault(token.lexeme, {})
            if len(entries) < MAX_POSITIONS_PER_LEXEME and position not in entries:
                entries[position] = weight
            last = max(last, token.position + token.width)
        offset += last + SECTION_GAP
    return " ".join(
        f"'{_quote_lexeme(lexeme)}':"
        + ",".join(f"{position}{weight}" for position, weight in entries.items())
        for lexeme, entries in positions.items()
    )


def _quote_lexeme(lexeme):
    return lexeme.replace("\\", "\\\\").replace("'", "''")


def build_document(*, title, tags=(), series_title="", summary="", body_html="", body="", segmenter=None):
    """Return the search document of a post described by plain values.

    The body comes from the rendered HTML when there is one (what readers see), else from the
    Markdown source; code blocks contribute only their identifiers, at the lowest weight.
    `segmenter` defaults to the process's (see search.tokenize.get_segmenter).
    """
    if body_html.strip():
        prose, code = split_prose_and_code(body_html)
    else:
        prose, code = split_markdown_prose_and_code(body or "")
    labels = " , ".join([*tags, series_title] if series_title else tags)
    body_text = f"{summary.strip()}\n{prose}" if summary.strip() else prose
    vector = tsvector_literal(
        [
            (title, TITLE_WEIGHT, True),
            (labels, TAGS_WEIGHT, True),
            (body_text, BODY_WEIGHT, False),
            (" ".join(code_identifiers(code)), CODE_WEIGHT, False),
        ],
        segmenter,
    )
    return SearchDocumentParts(vector=vector, text=prose)
