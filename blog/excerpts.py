"""Timeline excerpts: about 280 display units of what a post says, as safe HTML.

Precedence: the author's summary, else the text before a `<!--more-->` marker, else an automatic
excerpt taken from the rendered document, so Markdown syntax never leaks into it.

The automatic excerpt keeps the visible text of paragraphs, headings and lists; inline math stays
MathML; display math, code blocks and images each become one placeholder in the post's language;
ordered lists keep their numbers. It is cut at the last sentence end when that keeps at least 60%
of the budget, else between two atoms: an atom (a Latin word or number with its inner hyphens and
dots, a URL, an inline formula, an emoji with its modifiers) is never split. "…" marks a cut.
"""

import math
import re
from dataclasses import dataclass
from html import escape
from html.parser import HTMLParser

from django.conf import settings

from .markdown import render_markdown
from .models import Post

MORE_MARKER = re.compile(r"^[ \t]*<!--\s*more\s*-->[ \t]*$", re.MULTILINE | re.IGNORECASE)

PLACEHOLDERS = {
    "zh": {"formula": "[公式]", "code": "[代码]", "image": "[图片]"},
    "en": {"formula": "[formula]", "code": "[code]", "image": "[image]"},
}

SENTENCE_ENDS = set("。！？；!?.")
# Punctuation that opens or joins what follows, so an excerpt never ends on it.
DANGLING_PUNCTUATION = set("（([【「《“‘-–—/,，、:：")
BLOCK_ELEMENTS = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "dd", "dt", "div", "br"}
# Elements whose content is never excerpt text.
SKIPPED_ELEMENTS = {"table", "script", "style", "sup", "figcaption", "svg", "button", "template"}
SKIPPED_CLASSES = {
    "footnotes", "footnote-ref", "heading-anchor", "footnote-backref", "toc", "equation-number",
}  # fmt: skip

# One atom of text: a URL, a Latin word or number (inner . - + / ' _ kept), one CJK character, an
# emoji with its variation selectors, skin tones and ZWJ joins, whitespace, or any other character.
ATOM = re.compile(
    r"""
    (?P<url>(?:https?|ftp)://[^\s<>"'，。、；：！？）】」]+)
  | (?P<word>[A-Za-z0-9\u00c0-\u024f](?:[A-Za-z0-9\u00c0-\u024f_'’]|[.\-+/@#%:](?=[A-Za-z0-9]))*)
  | (?P<space>\s+)
  | (?P<emoji>[\U0001F000-\U0001FAFF\u2600-\u27BF]
        (?:[\uFE0E\uFE0F\U0001F3FB-\U0001F3FF]|\u200D[\U0001F000-\U0001FAFF\u2600-\u27BF])*)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")


@dataclass
class Atom:
    """An uncuttable piece of the excerpt: its HTML, its plain text and its display width."""

    html: str
    text: str
    units: float
    sentence_end: bool = False
    is_space: bool = False


def units_of_word(word):
    """A Latin word or number counts as half its length, rounded up."""
    return math.ceil(len(word) / 2)


def text_atoms(text):
    """Split plain text into atoms with their display units."""
    atoms = []
    for match in ATOM.finditer(text):
        piece = match.group()
        kind = match.lastgroup
        if kind == "space":
            atoms.append(Atom(" ", " ", 0.5, is_space=True))
        elif kind in {"url", "word"}:
            atoms.append(Atom(escape(piece), piece, units_of_word(piece)))
        elif kind == "emoji":
            atoms.append(Atom(piece, piece, 2))
        else:
            units = 1 if CJK.match(piece) else 0.5
            atoms.append(Atom(escape(piece), piece, units, sentence_end=piece in SENTENCE_ENDS))
    return atoms


class _ExcerptParser(HTMLParser):
    """Turns rendered post HTML into a flat list of atoms, stopping once enough is collected."""

    def __init__(self, placeholders, enough_units):
        super().__init__(convert_charrefs=True)
        self.placeholders = placeholders
        self.enough_units = enough_units
        self.atoms = []
        self.units = 0.0
        self.skip_depth = 0  # inside an element whose content is not excerpt text
        self.skip_tag = None
        self.math = None  # (parts of the inline <math> element's HTML, its TeX, nesting depth)
        self.list_counters = []  # one entry per open list: next number, or None for <ul>
        self.done = False

    def add(self, atoms):
        for atom in atoms:
            if atom.is_space and (not self.atoms or self.atoms[-1].is_space):
                continue
            self.atoms.append(atom)
            self.units += atom.units
        if self.units >= self.enough_units:
            self.done = True

    def block_break(self):
        self.add([Atom(" ", " ", 0.5, is_space=True)])

    def placeholder(self, kind):
        self.block_break()
        label = self.placeholders[kind]
        self.add([Atom(escape(label), label, 2), Atom(" ", " ", 0.5, is_space=True)])

    def start_skipping(self, tag):
        self.skip_tag = tag
        self.skip_depth = 1

    def handle_starttag(self, tag, attrs):
        if self.done:
            return
        if self.skip_depth:
            if tag == self.skip_tag:
                self.skip_depth += 1
            return
        if self.math is not None:
            self.math[0].append(self.get_starttag_text())
            if tag == "math":
                self.math[2] += 1
            return
        attributes = dict(attrs)
        classes = set((attributes.get("class") or "").split())
        if classes & SKIPPED_CLASSES or tag in SKIPPED_ELEMENTS:
            self.start_skipping(tag)
        elif tag == "math":
            if attributes.get("display") == "block":
                self.placeholder("formula")
                self.start_skipping(tag)
            else:
                self.math = [[self.get_starttag_text()], "", 1]
        elif tag == "pre" or "codeblock" in classes or "highlight" in classes:
            self.placeholder("code")
            self.start_skipping(tag)
        elif "math-error" in classes:
            # A formula that failed to convert: its TeX is shown in a box on the page.
            self.placeholder("formula")
            self.start_skipping(tag)
        elif tag == "img":
            self.placeholder("image")
        elif tag in {"ol", "ul"}:
            start = attributes.get("start") or "1"
            self.list_counters.append(int(start) if tag == "ol" and start.isdigit() else None)
        elif tag == "li":
            self.block_break()
            if self.list_counters and self.list_counters[-1] is not None:
                number = self.list_counters[-1]
                self.list_counters[-1] += 1
                self.add([Atom(f"{number}.", f"{number}.", units_of_word(str(number)) + 0.5)])
                self.add([Atom(" ", " ", 0.5, is_space=True)])
        elif tag in BLOCK_ELEMENTS:
            self.block_break()

    def handle_startendtag(self, tag, attrs):
        if self.math is not None and not self.skip_depth:
            self.math[0].append(self.get_starttag_text())
        else:
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if self.done:
            return
        if self.skip_depth:
            if tag == self.skip_tag:
                self.skip_depth -= 1
            return
        if self.math is not None:
            self.math[0].append(f"</{tag}>")
            if tag == "math":
                self.math[2] -= 1
                if self.math[2] == 0:
                    parts, tex, _ = self.math
                    self.math = None
                    tex = tex.strip()
                    self.add([Atom("".join(parts), f"${tex}$", max(1, math.ceil(len(tex) / 3)))])
            return
        if tag in {"ol", "ul"} and self.list_counters:
            self.list_counters.pop()
        elif tag in BLOCK_ELEMENTS:
            self.block_break()

    def handle_data(self, data):
        if self.done or self.skip_depth:
            return
        if self.math is not None:
            self.math[0].append(escape(data, quote=False))
            if self.lasttag == "annotation":
                self.math[1] += data
            return
        self.add(text_atoms(data))


def excerpt_atoms(html, language, enough_units):
    """Return the atoms of rendered `html`, stopping soon after `enough_units` have been seen."""
    parser = _ExcerptParser(PLACEHOLDERS.get(language, PLACEHOLDERS["en"]), enough_units)
    # Feed in slices so that a long post stops being parsed once the excerpt is certain.
    for start in range(0, len(html), 4096):
        parser.feed(html[start : start + 4096])
        if parser.done:
            break
    else:
        parser.close()
    atoms = parser.atoms
    while atoms and atoms[0].is_space:
        atoms.pop(0)
    while atoms and atoms[-1].is_space:
        atoms.pop()
    return atoms


def cut_atoms(atoms, budget):
    """Return (atoms that fit in `budget`, whether anything was cut)."""
    total = sum(atom.units for atom in atoms)
    if total <= budget:
        return atoms, False
    used = 0.0
    fit = 0
    last_sentence_end = None
    for index, atom in enumerate(atoms):
        if used + atom.units > budget:
            break
        used += atom.units
        fit = index + 1
        if atom.sentence_end:
            last_sentence_end = (index + 1, used)
    if last_sentence_end and last_sentence_end[1] >= 0.6 * budget:
        kept = atoms[: last_sentence_end[0]]
    else:
        kept = atoms[:fit]
        # Do not end on a space or on punctuation that opens or joins what was cut away.
        while kept and (
            kept[-1].is_space or (kept[-1].text in "（([【「《“‘-–—/,，、:：" and not kept[-1].sentence_end)
        ):
            kept.pop()
    return kept, True


def atoms_to_html(atoms, cut):
    """Join atoms into the excerpt's HTML, with "…" when something was cut."""
    return "".join(atom.html for atom in atoms) + ("…" if cut else "")


def excerpt_from_html(html, language, budget):
    """Return the excerpt HTML of a rendered document within `budget` display units."""
    atoms, cut = cut_atoms(excerpt_atoms(html, language, enough_units=budget * 1.2 + 20), budget)
    return atoms_to_html(atoms, cut)


# What make_excerpt reads of a post, plus what store_excerpts compares: load posts with only these.
EXCERPT_FIELDS = ("id", "body", "body_html", "summary", "language", "excerpt")


def store_excerpts(posts):
    """Write the excerpts of `posts` that changed, in one UPDATE; returns how many changed.

    No save(): no re-render, no new task, and a concurrent editor's other fields are left alone.
    """
    stale = []
    for post in posts:
        excerpt = make_excerpt(post)
        if excerpt != post.excerpt:
            post.excerpt = excerpt
            stale.append(post)
    if stale:
        Post.objects.bulk_update(stale, ["excerpt"])
    return len(stale)


def make_excerpt(post):
    """Return the timeline excerpt of `post` as HTML that is safe to show as is."""
    budget = settings.EXCERPT_BUDGET_UNITS
    if post.summary.strip():
        return escape(" ".join(post.summary.split()))
    parts = MORE_MARKER.split(post.body, maxsplit=1)
    if len(parts) == 2:
        atoms = excerpt_atoms(render_markdown(parts[0]), post.language, enough_units=float("inf"))
        return atoms_to_html(atoms, cut=False)
    return excerpt_from_html(post.body_html, post.language, budget)


class _PlainText(HTMLParser):
    """Collects text of excerpt HTML, writing formulas as their TeX between dollars."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self.in_math = 0
        self.tex = []

    def handle_starttag(self, tag, attrs):
        if tag == "math":
            self.in_math += 1
            self.tex = []

    def handle_endtag(self, tag):
        if tag == "math":
            self.in_math -= 1
            if not self.in_math:
                self.parts.append(f"${''.join(self.tex).strip()}$")

    def handle_data(self, data):
        if not self.in_math:
            self.parts.append(data)
        elif self.lasttag == "annotation":
            self.tex.append(data)


def excerpt_as_text(excerpt_html):
    """Return the excerpt as plain text (for <meta name="description"> and feed summaries)."""
    parser = _PlainText()
    parser.feed(excerpt_html)
    parser.close()
    return " ".join("".join(parser.parts).split())
