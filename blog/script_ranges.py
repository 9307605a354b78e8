"""The Unicode ranges of the scripts Inkstone writes in, and the atoms of mixed Chinese/English text.

One place for the ranges that the search tokenizer, excerpts, snippets, reading time, slugs,
autolinks and ingestion all need, so that "is this Chinese?" has one answer everywhere. The
constants are character-class bodies, to be put inside ``[…]``.
"""

import re

# Han ideographs: the unified blocks, extension A, compatibility ideographs, the supplementary
# planes' extensions (B to G), and 〇, which Chinese writes as a digit.
HAN = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff"
KANA = "\u3040-\u30ff"
HANGUL = "\uac00-\ud7af"
# Latin letters with their accented forms, and digits.
LATIN = "0-9A-Za-z\u00c0-\u024f"
# CJK symbols and punctuation (。、「」), and full-width forms (，！Ａ１).
CJK_PUNCTUATION = "\u3000-\u303f"
FULL_WIDTH = "\uff00-\uffef"
# Characters that are one display unit wide, as wide as a Han character.
WIDE = HAN + KANA + HANGUL + CJK_PUNCTUATION + FULL_WIDTH
# Everything an autolink ends at: wide characters, curly quotes, ellipses and vertical forms.
URL_STOPPING = "\u2018-\u201f\u2026\u2e80-\u2fff" + CJK_PUNCTUATION + KANA + "\u3100-\u31ff" + HAN
URL_STOPPING += HANGUL + "\ufe30-\ufe4f" + FULL_WIDTH

HAN_CHARACTER = re.compile(f"[{HAN}]")
WIDE_CHARACTER = re.compile(f"[{WIDE}]")
# What reading time counts one character at a time.
CJK_CHARACTER = re.compile(f"[{HAN}{KANA}{HANGUL}]")

# Punctuation that must stay on the line of what it follows: a break before it would start a
# line with "。" (CSS forbids that between characters, but not after a formula or code box).
CLOSING_PUNCTUATION = "。，、；：！？）」』】〉》〕…．％"

# One atom of text, never split by an excerpt or a snippet window: a URL, a Latin word or number
# with its inner hyphens, dots, pluses and slashes ("Llama-3-8B-Instruct", "v1.5", "C++"), an
# emoji with its variation selectors, skin tones and ZWJ joins, a run of spaces, or any other
# single character (each Han character is an atom of its own).
ATOM = re.compile(
    rf"""
    (?P<url>(?:https?|ftp)://[^\s<>"'{URL_STOPPING}]+)
  | (?P<word>[{LATIN}](?:[{LATIN}_'’]|[.\-+/@#%:](?=[{LATIN}]))*(?:\+\+|\#)?)
  | (?P<space>\s+)
  | (?P<emoji>[\U0001F000-\U0001FAFF\u2600-\u27BF]
        (?:[\uFE0E\uFE0F\U0001F3FB-\U0001F3FF]|\u200D[\U0001F000-\U0001FAFF\u2600-\u27BF])*)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
# Characters that can be inside a word or URL atom: the window of a snippet backs up over these
# to find where the atom it landed in starts.
_ATOM_INNER = re.compile(rf"[{LATIN}_'’.\-+/@#%:?=&~]")


def atom_bounds(text, index):
    """Return (start, end) of the atom of `text` that contains `index`, or (index, index) between atoms."""
    if not 0 <= index < len(text) or not _ATOM_INNER.match(text[index]):
        return index, index
    start = index
    # Back up to the start of the run of characters atoms can be made of; URLs carry their
    # scheme's "://", so the run is bounded by spaces or wide characters, never long.
    while start > 0 and not text[start - 1].isspace() and not WIDE_CHARACTER.match(text[start - 1]):
        start -= 1
    for match in ATOM.finditer(text, start, min(len(text), index + 2048)):
        if match.end() > index:
            return (match.start(), match.end()) if match.start() <= index else (index, index)
    return index, index
