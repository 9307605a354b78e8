"""Text from outside feeds made plain: no control characters, no markup, entities decoded once.

A feed's titles and category names reach us in three shapes: plain text (Atom `type="text"`,
most RSS), HTML (`type="html"`, base64 HTML, RSS titles holding `&amp;amp;` or `<b>`), and
XHTML. Everywhere we show them (the page, our own feeds, reader apps) they are plain text that
the output escapes, so they are made plain once, when they are stored: a title stored as
"<em>LoRA</em>" would show its tags, and one stored as "Q&amp;A" would show "Q&amp;amp;A".
"""

import re
from html import unescape

import nh3

# C0 controls except tab and newline, DEL, C1 controls, lone surrogates and the two
# non-characters XML forbids. Mis-decoded legacy feeds are full of C1 characters, and XML 1.0
# (our RSS and Atom) forbids most of the others; PostgreSQL cannot store a lone surrogate.
_CONTROL_CHARACTERS_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_LINE_ENDING_RE = re.compile("\r\n?")

# feedparser's own test for "this text is HTML" (a closing tag or a character reference), plus
# what only markup has: a tag with attributes or self-closed, a <br>, a comment or doctype. An
# RSS title or a category has no declared type, and parse.Entry keeps none, so this decides:
# "History of the <blink> tag" stays as written, "<b>Bold</b> Q&amp;A" and "a<br/>b" are HTML.
_LOOKS_LIKE_HTML_RE = re.compile(
    r"</[A-Za-z][\w:-]*\s*>"
    r"|&(?:#\d+|#[xX][0-9A-Fa-f]+|[A-Za-z]\w*);"
    r"|<[A-Za-z][\w:-]*(?:\s+[\w:-]+\s*=|\s*/>)"
    r"|<br\s*>|<!"
)
_LINE_BREAK_RE = re.compile(r"<br\s*/?>", re.IGNORECASE)
# Read for their text, these would add words nobody sees.
_INVISIBLE_ELEMENTS = {"script", "style", "template"}


def without_control_characters(text):
    """Return `text` with CR/CRLF as newlines and every other control character removed.

    Tab and newline stay. A pure function: any module that takes text from outside may call it.
    """
    if not text:
        return text or ""
    return _CONTROL_CHARACTERS_RE.sub("", _LINE_ENDING_RE.sub("\n", text))


def looks_like_html(text):
    """True when `text` reads as HTML rather than plain text (a closing tag, an entity, a <br>)."""
    return bool(_LOOKS_LIKE_HTML_RE.search(text))


def html_text(html):
    """Return the text a reader sees in an HTML fragment: tags gone, entities decoded once.

    Parsed as a browser parses it (html5ever, through nh3), so "&nosuchentity;" stays as typed.
    """
    text_only = nh3.clean(_LINE_BREAK_RE.sub(" ", html), tags=set(), clean_content_tags=_INVISIBLE_ELEMENTS)
    return unescape(text_only)


def plain_text(value, *, max_length=None, markup=None):
    """Return a one-line plain-text version of `value`, e.g. a title or a tag name.

    Markup is stripped and entities decoded exactly once when the value is HTML (`markup=True`,
    or, when its type is unknown, when it looks like HTML); whitespace runs become one space,
    and control characters go. `max_length` cuts the result, never an entity or a tag.
    """
    text = without_control_characters(value or "")
    is_html = looks_like_html(text) if markup is None else markup
    if is_html:
        text = without_control_characters(html_text(text))  # &#1; decodes to a control character
    text = " ".join(text.split())
    return text[:max_length].rstrip() if max_length else text
