"""Short plain-text excerpts of posts for the timeline.

Precedence: the author's summary, else the text before a `<!--more-->` marker, else the
opening of the rendered body cut at a sentence end.
"""

import re
from html.parser import HTMLParser

from .markdown import render_markdown

MORE_MARKER = re.compile(r"^\s*<!--\s*more\s*-->\s*$", re.MULTILINE | re.IGNORECASE)
SENTENCE_END = re.compile(r"[。！？；!?.]")
EXCERPT_LENGTH = 200

# Elements whose text is not prose: code, formulas' TeX annotations and scripts.
SKIPPED_ELEMENTS = {"pre", "code", "annotation", "script", "style", "math", "table", "figure"}


class _VisibleText(HTMLParser):
    """Collects the visible prose of rendered HTML, skipping code and math."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self.skip_depth = 0

    def handle_starttag(self, tag, attrs):
        if tag in SKIPPED_ELEMENTS:
            self.skip_depth += 1
        elif tag in {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "br"}:
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in SKIPPED_ELEMENTS and self.skip_depth:
            self.skip_depth -= 1

    def handle_data(self, data):
        if not self.skip_depth:
            self.parts.append(data)


def visible_text(html):
    """Return the prose of rendered HTML as one line with whitespace collapsed."""
    parser = _VisibleText()
    parser.feed(html)
    parser.close()
    return " ".join("".join(parser.parts).split())


def shorten(text, length=EXCERPT_LENGTH):
    """Return `text` cut to about `length` characters at a sentence end or space, with "…" if cut."""
    if len(text) <= length:
        return text
    head = text[:length]
    sentence_ends = [match.end() for match in SENTENCE_END.finditer(head)]
    if sentence_ends and sentence_ends[-1] >= length * 0.6:
        return head[: sentence_ends[-1]] + "…"
    if " " in head[int(length * 0.6) :]:
        head = head.rsplit(" ", 1)[0]
    return head.rstrip() + "…"


def make_excerpt(post):
    """Return the timeline excerpt of `post` as plain text."""
    if post.summary.strip():
        return " ".join(post.summary.split())
    parts = MORE_MARKER.split(post.body, maxsplit=1)
    if len(parts) == 2:
        return visible_text(render_markdown(parts[0]))
    return shorten(visible_text(post.body_html))
