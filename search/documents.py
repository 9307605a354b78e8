"""A post's search document: its visible text and its weighted tsvector, as plain values.

The tsvector is written as a literal (``'lexeme':3A,17C …``) from the segmenter's tokens rather
than by ``to_tsvector('simple', …)``: the default parser would cut our tokens again ("gpt-4o"
into three, "c++" into "c") and number positions its own way, while the literal keeps exactly
the lexemes and positions that :mod:`search.query` builds its tsquery from. It is the `simple`
configuration's job (no stemming, no stop list of its own) done in Python.
"""

import re
from typing import NamedTuple

from blog.document import (
    CodeBlock,
    DisplayMath,
    Document,
    Heading,
    Image,
    InlineMath,
    Prose,
    Table,
    inline_text,
)

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
    """What gets stored for one post: the tsvector literal, the snippet text and its formulas."""

    vector: str
    text: str
    formulas: list


# In the snippet text, where an inline formula stands; the document's `formulas` hold their MathML.
FORMULA = "\ufffc"
# A display formula no longer than this (and on one row) is shown in a snippet as inline math.
MAX_SNIPPET_DISPLAY_TEX = 60


def index_text(document):
    """Return (prose, code) of a post's document: the text to index, and its code blocks' text.

    Formulas are left out of the prose (their TeX is not words), as are figure captions'
    and footnotes' markers; footnote text is kept, it is the post's too.
    """
    prose, code = [], []
    for block in document.blocks:
        if isinstance(block, CodeBlock):
            code.append(block.text)
        elif isinstance(block, Heading | Prose):
            prose.append(inline_text(block.inlines, math=""))
        elif isinstance(block, Table):
            prose.extend(inline_text(cell, math="") for row in block.rows for cell in row)
    return " ".join(" ".join(prose).split()), "\n".join(code)


def snippet_text(document):
    """Return (text, formulas) of a post's document for result snippets.

    The text reads as the post does: headings set off with " · ", ordered items with their
    numbers, table cells with " | "; each inline formula (and each short display formula) is
    one FORMULA character, whose MathML is the matching item of `formulas`. Code blocks are
    left out: a snippet is prose, and their identifiers are indexed on their own.
    """
    parts, formulas = [], []

    def add_inlines(inlines):
        for piece in inlines:
            if isinstance(piece, InlineMath):
                if piece.mathml:
                    parts.append(FORMULA)
                    formulas.append(piece.mathml)
                else:
                    parts.append(f"${piece.tex}$")
            elif not isinstance(piece, Image):
                parts.append(piece.text)

    for block in document.blocks:
        if isinstance(block, Heading):
            add_inlines(block.inlines)
            parts.append(" · ")
        elif isinstance(block, Prose):
            if block.marker:
                parts.append(block.marker + " ")
            add_inlines(block.inlines)
            parts.append(" ")
        elif isinstance(block, DisplayMath):
            if block.can_be_inline and len(block.tex) <= MAX_SNIPPET_DISPLAY_TEX:
                parts.append(f" {FORMULA} ")
                formulas.append(block.inline_mathml)
            else:
                parts.append(" … ")
        elif isinstance(block, Table):
            for row in block.rows:
                for index, cell in enumerate(row):
                    parts.append(" | " if index else "")
                    add_inlines(cell)
                parts.append(" ")
    text = " ".join("".join(parts).split())
    return text.replace("· …", "·").replace("… …", "…"), formulas


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


def build_document(
    *, title, tags=(), series_title="", summary="", document=None, body_html="", body="", segmenter=None
):
    """Return the search document of a post described by plain values.

    The body comes from the post's rendered `document` (or rendered HTML, outlined here) when
    there is one (what readers see), else from the Markdown source; code blocks contribute only
    their identifiers, at the lowest weight. `segmenter` defaults to the process's (see
    search.tokenize.get_segmenter).
    """
    if document is None and body_html.strip():
        document = Document.from_html(body_html)
    if document is not None and document.blocks:
        prose, code = index_text(document)
        text, formulas = snippet_text(document)
    else:
        prose, code = split_markdown_prose_and_code(body or "")
        text, formulas = prose, []
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
    return SearchDocumentParts(vector=vector, text=text, formulas=formulas)
