"""Timeline excerpts: about 280 display units of what a post says, as safe HTML and as plain text.

Precedence: the author's summary, else the text before a `<!--more-->` marker, else an automatic
excerpt taken from the post's document (see :mod:`blog.document`), so Markdown syntax never
leaks into it.

The automatic excerpt is one run of atoms made from the document's opening blocks, rendered
twice: as HTML for the timeline and as plain text for the meta description and feed summaries.
Nothing in either is a placeholder. In HTML, inline math stays MathML; a display formula joins
the run inline-sized when its TeX fits the rest of the budget; a code block gives its first line
as inline code when it fits; tables give their rows; images give their alt text only when it is
prose. What does not fit ends the excerpt before it, with "…". In plain text, formulas appear as
their TeX when short, display math and code blocks are left out, and the sentence still reads.
A heading is set off from what follows with " · "; ordered list items keep their numbers.

The excerpt is cut at the last sentence end when that keeps at least 60% of the budget, else
between two atoms (see :data:`blog.script_ranges.ATOM`): a name, number, URL or formula is
never split.
"""

import math
import re
from dataclasses import dataclass
from html import escape
from typing import NamedTuple

from django.conf import settings

from .document import CodeBlock, DisplayMath, Heading, Image, InlineCode, InlineMath, Prose, Table
from .events import EXCERPT, announce_posts_changed
from .markdown import glued_math_html, render_document
from .models import Post
from .script_ranges import ATOM, CLOSING_PUNCTUATION, WIDE_CHARACTER

MORE_MARKER = re.compile(r"^[ \t]*<!--\s*more\s*-->[ \t]*$", re.MULTILINE | re.IGNORECASE)

SENTENCE_ENDS = set("。！？；!?.")
# Punctuation that opens or joins what follows, so an excerpt never ends on it.
DANGLING_PUNCTUATION = set("（([【「《“‘-–—/,，、:：")
# Plain text shows a formula's TeX only up to this length; a longer one would be noise there.
MAX_PLAIN_TEX_LENGTH = 40
HEADING_SEPARATOR = " ·"  # the space after it is the next block's
CELL_SEPARATOR = " | "
ROW_SEPARATOR = " / "
# Alt text that names the image rather than saying anything.
_NON_PROSE_ALT = re.compile(
    r"^(?:image|img|picture|photo|screenshot|figure|fig|图|图片|图像|截图|插图|配图)?\s*[\d.\-_]*$"
    r"|\.(?:png|jpe?g|gif|webp|svg|avif)$",
    re.IGNORECASE,
)


@dataclass
class Atom:
    """An uncuttable piece of the excerpt: its HTML, its plain text (None: left out) and its width."""

    html: str
    text: str | None
    units: float
    sentence_end: bool = False
    is_space: bool = False
    is_math: bool = False
    is_separator: bool = False
    # What plain text shows when it would otherwise be empty (a code line): see atoms_to_text.
    fallback_text: str | None = None


SPACE = Atom(" ", " ", 0.5, is_space=True)


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
            atoms.append(SPACE)
        elif kind in {"url", "word"}:
            atoms.append(Atom(escape(piece), piece, units_of_word(piece)))
        elif kind == "emoji":
            atoms.append(Atom(piece, piece, 2))
        else:
            units = 1 if WIDE_CHARACTER.match(piece) else 0.5
            atoms.append(Atom(escape(piece), piece, units, sentence_end=piece in SENTENCE_ENDS))
    return atoms


def alt_is_prose(alt):
    """True when an image's alt text says something a reader would read ("MLA 的缓存结构")."""
    alt = alt.strip()
    if not alt or _NON_PROSE_ALT.search(alt):
        return False
    han = sum(1 for character in alt if WIDE_CHARACTER.match(character))
    return han >= 2 or len(alt.split()) >= 2


def _math_atom(tex, mathml):
    plain = f"${tex}$" if len(tex) <= MAX_PLAIN_TEX_LENGTH else None
    if not mathml:  # a formula that failed to convert: its source, as the page shows it
        return Atom(f"<code>{escape(f'${tex}$')}</code>", plain, max(1, math.ceil(len(tex) / 2)))
    return Atom(mathml, plain, max(1, math.ceil(len(tex) / 3)), is_math=True)


def inline_atoms(inlines):
    """Return the atoms of a block's inline pieces."""
    atoms = []
    for piece in inlines:
        if isinstance(piece, InlineMath):
            atoms.append(_math_atom(piece.tex, piece.mathml))
        elif isinstance(piece, InlineCode):
            code_html = f"<code>{escape(piece.text)}</code>"
            atoms.append(Atom(code_html, piece.text, units_of_word(piece.text) + 1))
        elif isinstance(piece, Image):
            if alt_is_prose(piece.alt):
                atoms.extend(text_atoms(piece.alt))
        else:
            atoms.extend(text_atoms(piece.text))
    return atoms


def _display_math_atom(block):
    """The atom of a display formula shown inline-sized, or None when it cannot be (rows, an error)."""
    if not block.can_be_inline:
        return None
    return Atom(block.inline_mathml, None, max(1, math.ceil(len(block.tex) / 2)), is_math=True)


def _code_atom(block):
    """The atom of a code block's first line as inline code, or None for an empty block."""
    line = next((line.strip() for line in block.text.splitlines() if line.strip()), "")
    if not line:
        return None
    return Atom(f"<code>{escape(line)}</code>", None, units_of_word(line) + 1, fallback_text=line)


def _table_atoms(block):
    atoms = []
    for row_number, row in enumerate(block.rows):
        if row_number:
            atoms.append(Atom(escape(ROW_SEPARATOR), ROW_SEPARATOR, 1, is_separator=True))
        for cell_number, cell in enumerate(row):
            if cell_number:
                atoms.append(Atom(escape(CELL_SEPARATOR), CELL_SEPARATOR, 1, is_separator=True))
            atoms.extend(inline_atoms(cell))
    return atoms


class _Run:
    """The atoms collected so far, with the rules for adding to them."""

    def __init__(self, budget, enough_units):
        self.budget = budget
        self.enough_units = enough_units
        self.atoms = []
        self.units = 0.0

    def add(self, atoms):
        for atom in atoms:
            if atom.is_space and (not self.atoms or self.atoms[-1].is_space):
                continue
            self.atoms.append(atom)
            self.units += atom.units

    @property
    def full(self):
        return self.units >= self.enough_units

    @property
    def empty(self):
        return not any(not atom.is_space and not atom.is_separator for atom in self.atoms)

    def fits(self, atom):
        return self.units + atom.units <= self.budget


def excerpt_atoms(document, budget, enough_units=None):
    """Return (atoms of `document`'s opening within about `enough_units`, whether more follows).

    A display formula or code block that cannot join the run within `budget` ends it there;
    at the very start it is passed over instead, so a post that opens with one still has an
    excerpt.
    """
    run = _Run(budget, budget * 1.2 + 20 if enough_units is None else enough_units)
    blocks = [block for block in document.blocks if not block.aside]
    for index, block in enumerate(blocks):
        if run.full:
            return _trimmed(run.atoms), True
        if isinstance(block, DisplayMath | CodeBlock):
            atom = _display_math_atom(block) if isinstance(block, DisplayMath) else _code_atom(block)
            if atom is None or not run.fits(atom):
                if run.empty:
                    continue
                return _trimmed(run.atoms), True
            run.add([SPACE, atom, SPACE])
        elif isinstance(block, Heading):
            run.add([SPACE, *inline_atoms(block.inlines)])
            run.add([Atom(escape(HEADING_SEPARATOR), HEADING_SEPARATOR, 1, is_separator=True), SPACE])
        elif isinstance(block, Prose):
            run.add([SPACE])
            if block.marker:
                run.add([Atom(escape(block.marker), block.marker, units_of_word(block.marker)), SPACE])
            run.add(inline_atoms(block.inlines))
        elif isinstance(block, Table):
            run.add([SPACE, *_table_atoms(block), SPACE])
        if run.full:
            return _trimmed(run.atoms), index + 1 < len(blocks)
    return _trimmed(run.atoms), False


def _trimmed(atoms):
    start, end = 0, len(atoms)
    while start < end and (atoms[start].is_space or atoms[start].is_separator):
        start += 1
    while end > start and (atoms[end - 1].is_space or atoms[end - 1].is_separator):
        end -= 1
    return atoms[start:end]


def _ends_badly(atom):
    return (
        atom.is_space
        or atom.is_separator
        or (atom.text is not None and atom.text in DANGLING_PUNCTUATION and not atom.sentence_end)
    )


def cut_atoms(atoms, budget, more=False):
    """Return (atoms that fit in `budget`, whether anything was cut); `more`: content follows them."""
    total = sum(atom.units for atom in atoms)
    if total <= budget:
        kept = list(atoms)
        if more:
            while kept and _ends_badly(kept[-1]):
                kept.pop()
        return kept, more
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
        # Do not end on a space, a separator or punctuation that opens or joins what was cut away.
        while kept and _ends_badly(kept[-1]):
            kept.pop()
    return kept, True


def atoms_to_html(atoms, cut):
    """Join atoms into the excerpt's HTML, with "…" when something was cut."""
    parts = []
    index = 0
    while index < len(atoms):
        atom = atoms[index]
        following = atoms[index + 1] if index + 1 < len(atoms) else None
        if atom.is_math and following is not None and (following.text or "x") in CLOSING_PUNCTUATION:
            parts.append(glued_math_html(atom.html, following.text))
            index += 2
            continue
        parts.append(atom.html)
        index += 1
    return "".join(parts) + ("…" if cut else "")


# A space before closing punctuation: left where a formula or code block was left out of plain
# text ("公式是 。"), and never wanted in the text itself.
_SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+(?=[，。、；：！？）」』】,.;:!?)])")


def atoms_to_text(atoms, cut):
    """Join atoms into the excerpt's plain text, leaving out what plain text cannot show."""
    text = _joined_text(atom.text for atom in atoms)
    if not text:
        # A post that opens with nothing but code: its first line describes it better than
        # nothing, and an empty description would leave the post looking never excerpted.
        text = _joined_text(atom.fallback_text for atom in atoms)
    return text + ("…" if cut and text else "")


def _joined_text(texts):
    text = "".join(" " if text is None else text for text in texts)
    return _SPACE_BEFORE_PUNCTUATION.sub("", " ".join(text.split()))


class Excerpt(NamedTuple):
    """A post's excerpt as HTML (safe to show as is) and as plain text."""

    html: str
    text: str


def excerpt_of_document(document, budget):
    """Return the Excerpt of a document within `budget` display units."""
    atoms, more = excerpt_atoms(document, budget)
    atoms, cut = cut_atoms(atoms, budget, more)
    return Excerpt(atoms_to_html(atoms, cut), atoms_to_text(atoms, cut))


def excerpt_of(post):
    """Return the Excerpt of `post`: its summary, its text before <!--more-->, or its opening."""
    if post.summary.strip():
        summary = " ".join(post.summary.split())
        return Excerpt(escape(summary), summary)
    parts = MORE_MARKER.split(post.body, maxsplit=1)
    if len(parts) == 2:
        atoms, _ = excerpt_atoms(render_document(parts[0]), float("inf"), float("inf"))
        return Excerpt(atoms_to_html(atoms, cut=False), atoms_to_text(atoms, cut=False))
    return excerpt_of_document(post.document, settings.EXCERPT_BUDGET_UNITS)


def make_excerpt(post):
    """Return the timeline excerpt of `post` as HTML that is safe to show as is."""
    return excerpt_of(post).html


# What excerpt_of reads of a post, plus what store_excerpts compares: load posts with only these.
EXCERPT_FIELDS = ("id", "body", "body_html", "outline", "summary", "language", "excerpt", "excerpt_text")


def store_excerpts(posts):
    """Write the excerpts of `posts` that changed, in one UPDATE; returns how many changed.

    No save(): no re-render, no new task, and a concurrent editor's other fields are left alone.
    """
    stale = []
    for post in posts:
        excerpt = excerpt_of(post)
        if (post.excerpt, post.excerpt_text) != excerpt:
            post.excerpt, post.excerpt_text = excerpt
            stale.append(post)
    if stale:
        Post.objects.bulk_update(stale, ["excerpt", "excerpt_text"])
        announce_posts_changed([post.pk for post in stale], {EXCERPT})
    return len(stale)
