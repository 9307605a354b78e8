"""A rendered post as one document: its sanitized HTML and the outline of what that HTML says.

Every place a post is shown other than its own page (timeline excerpts, search text and
snippets, the meta description, feed summaries, the table of contents) needs to know what the
HTML *means*: which text is prose, which is a heading, a formula (and its TeX), a code block, a
table or an image. That is learned here, once, when the post is rendered, by the only walker of
rendered HTML in the project; the other places are small functions of the outline.

The outline is read from the sanitized HTML rather than from the Markdown tokens so that it
describes exactly what readers get, raw HTML in a post included, and so that a post stored by an
older release can be outlined from its `body_html` without rendering it again.

Blocks: :class:`Heading`, :class:`Prose` (a paragraph, list item, quote or definition, with the
list item's number as its marker), :class:`DisplayMath`, :class:`CodeBlock` and :class:`Table`.
Inline pieces of prose: :class:`Text`, :class:`InlineMath` (TeX and MathML), :class:`InlineCode`,
:class:`Link` and :class:`Image` (its alt text). Footnotes, figure captions and the like are
kept with ``aside=True``: searchable, but not what a post opens with.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape, unescape

# Bumped whenever the outline's shape or the walker's reading of the HTML changes: a stored
# outline of another version is read again from the stored HTML (see Document.from_stored).
OUTLINE_VERSION = 1

_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Text:
    text: str


@dataclass(frozen=True, slots=True)
class InlineMath:
    """A formula in a run of text; `mathml` is "" when the TeX could not be converted."""

    tex: str
    mathml: str


@dataclass(frozen=True, slots=True)
class InlineCode:
    text: str


@dataclass(frozen=True, slots=True)
class Link:
    text: str
    href: str


@dataclass(frozen=True, slots=True)
class Image:
    alt: str


Inline = Text | InlineMath | InlineCode | Link | Image


def inline_text(inlines, *, math="tex"):
    """Return the plain text of inline pieces; formulas as their TeX (math="tex") or left out ("")."""
    parts = []
    for piece in inlines:
        if isinstance(piece, InlineMath):
            if math == "tex":
                parts.append(piece.tex)
        elif isinstance(piece, Image):
            continue
        else:
            parts.append(piece.text)
    return " ".join("".join(parts).split())


def inline_html(inlines):
    """Return inline pieces as HTML: text escaped, formulas as their MathML, code as <code>.

    Links become their text (the places that show this are links themselves); images are left out.
    """
    parts = []
    for piece in inlines:
        if isinstance(piece, InlineMath):
            parts.append(piece.mathml or f"<code>{escape('$' + piece.tex + '$', quote=False)}</code>")
        elif isinstance(piece, InlineCode):
            parts.append(f"<code>{escape(piece.text, quote=False)}</code>")
        elif not isinstance(piece, Image):
            parts.append(escape(piece.text, quote=False))
    return "".join(parts)


@dataclass(frozen=True, slots=True)
class Heading:
    level: int
    id: str
    inlines: tuple
    aside: bool = False

    @property
    def text(self):
        return inline_text(self.inlines)


@dataclass(frozen=True, slots=True)
class Prose:
    """A paragraph, list item, quoted paragraph or definition; `marker` is an ordered item's "3."."""

    inlines: tuple
    marker: str = ""
    aside: bool = False


@dataclass(frozen=True, slots=True)
class DisplayMath:
    """A display formula; `mathml` is "" when the TeX could not be converted."""

    tex: str
    mathml: str
    aside: bool = False

    @property
    def can_be_inline(self):
        """True when the formula reads as well inline-sized: converted, and one row."""
        return bool(self.mathml) and "\\\\" not in self.tex

    @property
    def inline_mathml(self):
        """The formula's MathML set inline, for a run of text (an excerpt, a snippet)."""
        return self.mathml.replace('display="block"', 'display="inline"', 1)


@dataclass(frozen=True, slots=True)
class CodeBlock:
    language: str
    text: str
    aside: bool = False


@dataclass(frozen=True, slots=True)
class Table:
    """Rows of cells, each cell a tuple of inline pieces; the header row first when there is one."""

    rows: tuple
    aside: bool = False


Block = Heading | Prose | DisplayMath | CodeBlock | Table


@dataclass(frozen=True)
class Document:
    """A post's sanitized HTML and the outline of its blocks."""

    html: str
    blocks: tuple

    @classmethod
    def from_html(cls, html):
        """Return the document of sanitized, rendered HTML (what blog.markdown produces)."""
        return cls(html, tuple(_OutlineReader.read(html)))

    @classmethod
    def from_stored(cls, html, outline):
        """Return the document from a stored outline, or read from `html` if that outline is stale."""
        if isinstance(outline, dict) and outline.get("version") == OUTLINE_VERSION:
            return cls(html, tuple(_block_from_json(block) for block in outline["blocks"]))
        return cls.from_html(html or "")

    def outline_json(self):
        """Return the outline as JSON-ready values, for storing beside the HTML."""
        return {"version": OUTLINE_VERSION, "blocks": [_block_to_json(block) for block in self.blocks]}

    def headings(self, levels=(2, 3, 4)):
        """Return the headings of the given levels, in order (the table of contents)."""
        return [block for block in self.blocks if isinstance(block, Heading) and block.level in levels]


# --- JSON -------------------------------------------------------------------------------
# Short lists rather than dicts: an outline is stored for every post and read for every excerpt.

_INLINE_TO_JSON = {
    Text: lambda piece: ["t", piece.text],
    InlineMath: lambda piece: ["m", piece.tex, piece.mathml],
    InlineCode: lambda piece: ["c", piece.text],
    Link: lambda piece: ["a", piece.text, piece.href],
    Image: lambda piece: ["i", piece.alt],
}
_INLINE_FROM_JSON = {
    "t": lambda item: Text(item[1]),
    "m": lambda item: InlineMath(item[1], item[2]),
    "c": lambda item: InlineCode(item[1]),
    "a": lambda item: Link(item[1], item[2]),
    "i": lambda item: Image(item[1]),
}


def _inlines_to_json(inlines):
    return [_INLINE_TO_JSON[type(piece)](piece) for piece in inlines]


def _inlines_from_json(items):
    return tuple(_INLINE_FROM_JSON[item[0]](item) for item in items)


def _block_to_json(block):
    aside = int(block.aside)
    if isinstance(block, Heading):
        return ["h", aside, block.level, block.id, _inlines_to_json(block.inlines)]
    if isinstance(block, Prose):
        return ["p", aside, _inlines_to_json(block.inlines), block.marker]
    if isinstance(block, DisplayMath):
        return ["m", aside, block.tex, block.mathml]
    if isinstance(block, CodeBlock):
        return ["c", aside, block.language, block.text]
    return ["t", aside, [[_inlines_to_json(cell) for cell in row] for row in block.rows]]


def _block_from_json(item):
    kind, aside = item[0], bool(item[1])
    if kind == "h":
        return Heading(item[2], item[3], _inlines_from_json(item[4]), aside)
    if kind == "p":
        return Prose(_inlines_from_json(item[2]), item[3], aside)
    if kind == "m":
        return DisplayMath(item[2], item[3], aside)
    if kind == "c":
        return CodeBlock(item[2], item[3], aside)
    return Table(tuple(tuple(_inlines_from_json(cell) for cell in row) for row in item[2]), aside)


# --- reading the HTML ---------------------------------------------------------------------

_HEADING_LEVELS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
# Elements that end the run of text before them and start a new one.
_BLOCK_ELEMENTS = {
    "p", "li", "blockquote", "dd", "dt", "dl", "div", "section", "article", "figure", "details",
    "summary", "ul", "ol", "hr", "footer", "header", "aside", "nav", "main", "caption",
}  # fmt: skip
# Elements and classes whose content is chrome, not the post's text: heading permalinks,
# footnote reference numbers and back links, equation numbers, line numbers of code.
_SKIPPED_ELEMENTS = {"script", "style", "template", "svg", "button", "select", "textarea", "rp"}
_SKIPPED_CLASSES = {"heading-anchor", "footnote-ref", "footnote-backref", "equation-number", "linenos"}
# Containers whose text is kept but marked aside: not where a post's opening is.
_ASIDE_CLASSES = {"footnotes"}
_ASIDE_ELEMENTS = {"figcaption"}


# Formulas and code blocks are most of a post's tags (a formula's MathML is dozens of elements,
# highlighted code a span per token), and the reader needs none of them one by one: each is
# cut out whole beforehand and stands in the HTML the reader walks as one marker element.
#
# The HTML is then read with one regular expression rather than html.parser, which spends
# more time per tag than everything else here together. Both are sound on sanitized HTML only,
# which is all this module is given (blog.markdown's output): there every "<" of text and
# every "<", ">" and '"' of an attribute value is escaped, each attribute is quoted with ",
# <math> and <pre> never nest, and no element of the marker's name survives, so a marker is
# always ours.
_MATH_ELEMENT = re.compile(r"<math\b[^>]*>.*?</math>", re.DOTALL)
_PRE_ELEMENT = re.compile(r"<pre\b[^>]*>(.*?)</pre>", re.DOTALL)
_TEX_ANNOTATION = re.compile(r'<annotation encoding="application/x-tex">(.*?)</annotation>', re.DOTALL)
_LINE_NUMBER = re.compile(r'<span class="linenos">.*?</span>', re.DOTALL)
_ANY_TAG = re.compile(r"<[^>]*>")
_MARKER = "x-outline-part"
_TOKEN = re.compile(
    r'<(/?)([A-Za-z][A-Za-z0-9-]*)((?:\s+[^\s=/>]+(?:="[^"]*")?)*)\s*/?>|<!--.*?-->|([^<]+)|<', re.DOTALL
)
_ATTRIBUTE = re.compile(r'([^\s=/>]+)(?:="([^"]*)")?')
_VOID_ELEMENTS = {"br", "img", "hr", "input", "col", "wbr", _MARKER}


class _OutlineReader:
    """Walks sanitized HTML once, collecting blocks; see the module docstring for what they are."""

    @classmethod
    def read(cls, html):
        reader = cls()
        html = _PRE_ELEMENT.sub(reader._cut_out_code, _MATH_ELEMENT.sub(reader._cut_out_math, html))
        for match in _TOKEN.finditer(html):
            closing, tag, attributes, text = match.groups()
            if text is not None:
                reader.handle_data(unescape(text))
            elif tag is None:
                if match.group() == "<":
                    reader.handle_data("<")
            elif closing:
                reader.handle_endtag(tag.lower())
            else:
                tag = tag.lower()
                reader.handle_starttag(tag, _ATTRIBUTE.findall(attributes) if attributes else ())
                if tag in _VOID_ELEMENTS:
                    reader.end_void_element(tag)
        reader._flush()
        return reader.blocks

    def _cut_out_math(self, match):
        mathml = match.group()
        annotation = _TEX_ANNOTATION.search(mathml)
        tex = " ".join(unescape(annotation.group(1)).split()) if annotation else ""
        display = 'display="block"' in mathml[: mathml.index(">")]
        self.parts.append((tex, mathml, display))
        return f'<{_MARKER} data-math="{len(self.parts) - 1}">'

    def _cut_out_code(self, match):
        self.parts.append(unescape(_ANY_TAG.sub("", _LINE_NUMBER.sub("", match.group(1)))))
        return f'<{_MARKER} data-code="{len(self.parts) - 1}">'

    def __init__(self):
        self.blocks = []
        self.run = []  # inline pieces of the block being read
        self.heading = None  # (level, id) while inside a heading
        self.marker = ""  # an ordered list item's number, waiting for that item's first block
        self.lists = []  # per open list: the next number, or None for <ul>
        self.skip = None  # [tag, depth] while inside a skipped element
        self.aside = []  # the tags of open aside containers
        self.math_error = None  # the text of a failed formula's box, while inside it
        self.code = None  # [depth, text parts] while inside inline <code>
        self.code_language = ""  # from the enclosing <div class="codeblock" data-lang>
        self.links = []  # hrefs of open links
        self.table = None  # {"rows", "row", "depth"} while inside a table
        self.cell = None  # the run of the table cell being read
        self.parts = []  # the formulas and code blocks cut out of the HTML, by marker number

    # Runs and blocks.

    def _pieces(self):
        return self.cell if self.cell is not None else self.run

    def _flush(self):
        """End the current run: it becomes a heading or prose block if it has any content."""
        if self.cell is not None or not self.run:
            return
        inlines = _normalized(self.run)
        self.run = []
        if not inlines:
            return
        aside = bool(self.aside)
        if self.heading is not None:
            self.blocks.append(Heading(self.heading[0], self.heading[1], inlines, aside))
        else:
            self.blocks.append(Prose(inlines, self.marker, aside))
            self.marker = ""

    def _add_block(self, block):
        if self.table is not None:  # a formula or code block inside a cell is read as inline
            if isinstance(block, DisplayMath):
                self._pieces().append(InlineMath(block.tex, block.mathml))
            elif isinstance(block, CodeBlock):
                self._pieces().append(InlineCode(" ".join(block.text.split())))
            return
        self._flush()
        self.blocks.append(block)

    def _add_text(self, text):
        pieces = self._pieces()
        if not pieces and text.isspace():  # between blocks, or where a run would trim it anyway
            return
        if self.links:
            pieces.append(Link(text, self.links[-1]))
        else:
            pieces.append(Text(text))

    def _add_part(self, attributes):
        if "data-code" in attributes:
            text = self.parts[int(attributes["data-code"])]
            if self.code is None:
                self._add_block(CodeBlock(self.code_language, text, bool(self.aside)))
            else:  # a <pre> inside inline <code>, in raw HTML
                self.code[1].append(text)
            return
        tex, mathml, display = self.parts[int(attributes["data-math"])]
        if self.code is not None:
            self.code[1].append(tex)
        elif display:
            self._add_block(DisplayMath(tex, mathml, bool(self.aside)))
        else:
            self._pieces().append(InlineMath(tex, mathml))

    # Tags.

    def handle_starttag(self, tag, attrs):
        if self.skip is not None:
            self.skip[1] += tag == self.skip[0]
            return
        attributes = dict(attrs)
        if tag == _MARKER:
            self._add_part(attributes)
            return
        if self.math_error is not None:
            return
        if self.code is not None:
            self.code[0] += tag == "code"
            return
        classes = set(unescape(attributes.get("class") or "").split())
        if tag in _SKIPPED_ELEMENTS or classes & _SKIPPED_CLASSES:
            self.skip = [tag, 1]
        elif "math-error" in classes:
            self.math_error = []
        elif tag == "code":
            self.code = [1, []]
        elif tag == "div" and "codeblock" in classes:
            self.code_language = unescape(attributes.get("data-lang") or "")
        elif tag in _HEADING_LEVELS:
            self._flush()
            self.heading = (_HEADING_LEVELS[tag], unescape(attributes.get("id") or ""))
        elif tag == "table":
            if self.table is None:
                self._flush()
                self.table = {"rows": [], "row": None, "depth": 1}
            else:
                self.table["depth"] += 1
        elif self.table is not None and self.table["depth"] == 1 and tag in ("tr", "td", "th"):
            if tag == "tr":
                self.table["row"] = []
            else:
                self.cell = []
        elif tag == "a":
            self.links.append(unescape(attributes.get("href") or ""))
        elif tag == "img":
            self._pieces().append(Image(" ".join(unescape(attributes.get("alt") or "").split())))
        elif tag == "br":
            self._pieces().append(Text(" "))
        elif tag in ("ol", "ul"):
            self._flush()
            start = attributes.get("start") or "1"
            self.lists.append(int(start) if tag == "ol" and start.isdigit() else None)
        elif tag == "li":
            self._flush()
            number = self.lists[-1] if self.lists else None
            if number is not None:
                self.marker = f"{number}."
                self.lists[-1] += 1
            else:
                self.marker = ""
        elif tag in _BLOCK_ELEMENTS or tag in _ASIDE_ELEMENTS:
            if self.cell is not None:
                self.cell.append(Text(" "))
            else:
                self._flush()
            if tag in _ASIDE_ELEMENTS or classes & _ASIDE_CLASSES:
                self.aside.append(tag)

    def end_void_element(self, tag):
        """A void element never gets an end tag, so nothing it opened may stay open."""
        if self.skip is not None and self.skip == [tag, 1]:
            self.skip = None

    def handle_endtag(self, tag):
        if self.skip is not None:
            if tag == self.skip[0]:
                self.skip[1] -= 1
                if self.skip[1] == 0:
                    self.skip = None
            return
        if self.math_error is not None:
            if tag == "span":
                self._end_math_error()
            return
        if self.code is not None:
            if tag == "code":
                self.code[0] -= 1
                if self.code[0] == 0:
                    self._end_code()
            return
        if tag == "div":
            self.code_language = ""
        if tag in _HEADING_LEVELS:
            self._flush()
            self.heading = None
        elif tag == "table" and self.table is not None:
            self.table["depth"] -= 1
            if self.table["depth"] == 0:
                rows = tuple(tuple(row) for row in self.table["rows"] if any(row))
                self.table = None
                if rows:
                    self.blocks.append(Table(rows, bool(self.aside)))
        elif self.table is not None and self.table["depth"] == 1 and tag in ("tr", "td", "th"):
            self._end_table_part(tag)
        elif tag == "a":
            if self.links:
                self.links.pop()
        elif tag in ("ol", "ul"):
            self._flush()
            if self.lists:
                self.lists.pop()
        elif tag == "li":
            self._flush()
            self.marker = ""
        elif tag in _BLOCK_ELEMENTS or tag in _ASIDE_ELEMENTS:
            if self.cell is not None:
                self.cell.append(Text(" "))
            else:
                self._flush()
            if self.aside and self.aside[-1] == tag:
                self.aside.pop()

    def _end_math_error(self):
        source = "".join(self.math_error).strip()
        self.math_error = None
        if source.startswith("$$") and source.endswith("$$") and len(source) >= 4:
            self._add_block(DisplayMath(source[2:-2].strip(), "", bool(self.aside)))
        else:
            self._pieces().append(InlineMath(source.strip("$").strip(), ""))

    def _end_code(self):
        text = "".join(self.code[1])
        self.code = None
        if text:
            self._pieces().append(InlineCode(text))

    def _end_table_part(self, tag):
        if tag == "tr":
            if self.table["row"] is not None:
                self.table["rows"].append(self.table["row"])
            self.table["row"] = None
        elif self.cell is not None:
            cell = _normalized(self.cell)
            self.cell = None
            if self.table["row"] is None:
                self.table["row"] = []
            self.table["row"].append(cell)

    def handle_data(self, data):
        if self.skip is not None:
            return
        if self.math_error is not None:
            self.math_error.append(data)
        elif self.code is not None:
            self.code[1].append(data)
        elif self.table is not None and self.cell is None:
            return  # whitespace between rows and cells
        else:
            self._add_text(data)


def _normalized(pieces):
    """Merge neighbouring text, collapse whitespace as a browser would, trim the ends; drop empties."""
    merged = []
    for piece in pieces:
        if merged and type(piece) is type(merged[-1]) and isinstance(piece, Text):
            merged[-1] = Text(merged[-1].text + piece.text)
        elif merged and isinstance(piece, Link) and merged[-1] == Link(merged[-1].text, piece.href):
            merged[-1] = Link(merged[-1].text + piece.text, piece.href)
        else:
            merged.append(piece)
    result = []
    for piece in merged:
        if isinstance(piece, Text | Link):
            text = _SPACES.sub(" ", piece.text)
            if not result or _ends_with_space(result[-1]):
                text = text.lstrip(" ")
            if not text:
                continue
            piece = Text(text) if isinstance(piece, Text) else Link(text, piece.href)
        elif isinstance(piece, InlineCode):
            piece = InlineCode(_SPACES.sub(" ", piece.text).strip())
            if not piece.text:
                continue
        result.append(piece)
    while result and isinstance(result[-1], Text | Link) and result[-1].text.endswith(" "):
        last = result.pop()
        text = last.text.rstrip(" ")
        if text:
            result.append(Text(text) if isinstance(last, Text) else Link(text, last.href))
            break
    return tuple(result)


def _ends_with_space(piece):
    return isinstance(piece, Text | Link) and piece.text.endswith(" ")
