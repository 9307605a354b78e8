"""Result snippets: the part of a post's text around the best match, with whole words marked.

Built in Python from the stored snippet text (see search.documents.snippet_text) and the
query's terms, not by ``ts_headline``, which knows nothing of Chinese words. Candidate matches
are found by plain substring search in the folded text (cheap), the densest window is chosen,
and only that window is segmented to keep the matches that are whole words: "索引" is marked in
"倒排索引" but not in "线索引导" (线索 / 引导).

A window's edges widen to whole atoms, as excerpts do: "Llama-3-8B-Instruct", a URL or a
version number is shown whole or not at all. Each formula in the text is one FORMULA character
and is shown as its MathML; ``<mark>`` only ever wraps text. Everything else is HTML-escaped.
"""

import re
from bisect import bisect_right

from django.utils.html import escape
from django.utils.safestring import mark_safe

from blog.markdown import glued_math_html
from blog.script_ranges import CLOSING_PUNCTUATION, atom_bounds

from .documents import FORMULA
from .tokenize import WORD_CHARACTER, fold, get_segmenter, is_han

SNIPPET_LENGTH = 120
# Context shown before the first match in a snippet.
LEAD_IN = 24
MAX_OCCURRENCES_PER_TERM = 64
# How many candidate windows to try before settling for the opening of the text.
MAX_WINDOWS = 3
WORD_CHARACTER_PATTERN = re.compile(f"[{WORD_CHARACTER}]")
LATIN_TOKEN_AT = re.compile(rf"[{WORD_CHARACTER}]+(?:[._\-][{WORD_CHARACTER}]+)*(?:\+\+|#)?")


def _occurrences(folded, terms):
    """Return (start, end, term index) of every substring occurrence of the terms, by start."""
    found = []
    for index, term in enumerate(terms):
        start = folded.find(term.lexeme)
        count = 0
        while start != -1 and count < MAX_OCCURRENCES_PER_TERM:
            found.append((start, start + len(term.lexeme), index))
            start = folded.find(term.lexeme, start + 1)
            count += 1
    found.sort()
    return found


def _windows(occurrences, length):
    """Return window starts ordered best first: most distinct terms, then most matches."""
    starts = [start for start, _, _ in occurrences]
    scored = []
    for position, start in enumerate(starts):
        inside = [
            item
            for item in occurrences[position : bisect_right(starts, start + length)]
            if item[1] <= start + length
        ]
        scored.append((-len({item[2] for item in inside}), -len(inside), start))
    scored.sort()
    chosen = []
    for _, _, start in scored:
        if all(abs(start - other) >= length for other in chosen):
            chosen.append(start)
            if len(chosen) == MAX_WINDOWS:
                break
    return chosen


def _is_word_character(folded, index):
    return 0 <= index < len(folded) and WORD_CHARACTER_PATTERN.match(folded[index]) is not None


def _latin_span(folded, start, end, term):
    """Return the marked span of a Latin match, or None when it is not at a word boundary."""
    if _is_word_character(folded, start - 1):
        return None
    if term.prefix:
        token = LATIN_TOKEN_AT.match(folded, start)
        return (start, token.end()) if token else None
    if _is_word_character(folded, end):
        return None
    return start, end


def _han_spans(text, folded, window_start, window_end, candidates, terms):
    """Return the marked spans of Han matches that are whole words in the window's segmentation."""
    if not candidates:
        return []
    tokens = get_segmenter().segment(text[window_start:window_end])
    spans = []
    for start, end, index in candidates:
        term = terms[index]
        relative_start, relative_end = start - window_start, end - window_start
        if term.prefix:
            matched = [token for token in tokens if token.start == relative_start]
        else:
            matched = [
                token for token in tokens if (token.start, token.end) == (relative_start, relative_end)
            ]
        if not matched:
            continue
        # Mark the whole word the match belongs to, e.g. all of 检查点 for a query for 检查.
        containing = [
            token
            for token in tokens
            if token.primary and token.start <= matched[0].start and token.end >= matched[0].end
        ]
        word = containing[0] if containing else matched[0]
        spans.append((window_start + word.start, window_start + word.end))
    return spans


def _marked_spans(text, folded, terms, occurrences, window_start, window_end):
    latin, han = [], []
    for start, end, index in occurrences:
        if start < window_start or end > window_end:
            continue
        if is_han(terms[index].lexeme):
            han.append((start, end, index))
        else:
            span = _latin_span(folded, start, end, terms[index])
            if span:
                latin.append(span)
    spans = sorted(latin + _han_spans(text, folded, window_start, window_end, han, terms))
    merged = []
    for start, end in spans:
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _escaped(text, start, end, formulas):
    """Return text[start:end] escaped, each FORMULA in it as its MathML (glued to a "。" after it)."""
    piece = text[start:end]
    if FORMULA not in piece:
        return escape(piece)
    number = text.count(FORMULA, 0, start)
    parts = []
    chunks = piece.split(FORMULA)
    parts.append(escape(chunks[0]))
    for chunk in chunks[1:]:
        mathml = formulas[number] if number < len(formulas) else ""
        number += 1
        glued = chunk[:1] if chunk[:1] and chunk[0] in CLOSING_PUNCTUATION else ""
        parts.append(glued_math_html(mathml, glued) if mathml else "")
        parts.append(escape(chunk[len(glued) :]))
    return "".join(parts)


def _render(text, start, end, spans, formulas=()):
    parts = ["…" if start > 0 else ""]
    cursor = start
    for span_start, span_end in spans:
        span_start, span_end = max(span_start, start), min(span_end, end)
        if span_start >= span_end:
            continue
        parts.append(_escaped(text, cursor, span_start, formulas))
        parts.append(f"<mark>{escape(text[span_start:span_end])}</mark>")
        cursor = span_end
    parts.append(_escaped(text, cursor, end, formulas))
    parts.append("…" if end < len(text) else "")
    return mark_safe("".join(parts))  # noqa: S308 - text is escaped; formulas are sanitized MathML


def _widen_to_atoms(text, start, end):
    """Move window edges off the middle of atoms: words, names, numbers and URLs stay whole.

    An edge on a space moves inwards past it, so "…" always touches the text it stands for.
    """
    start = atom_bounds(text, start)[0]
    if end > start:
        end = max(end, atom_bounds(text, end - 1)[1])
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def make_snippet(text, terms, *, formulas=(), length=SNIPPET_LENGTH):
    """Return about `length` characters of `text` around the best match, escaped, matches in <mark>.

    `formulas` are the MathML of the FORMULA characters in `text`, in order.
    """
    text = text or ""
    folded = fold(text)
    occurrences = _occurrences(folded, terms)
    for window in _windows(occurrences, length):
        start = max(0, window - LEAD_IN)
        end = min(len(text), start + length)
        start = max(0, min(start, end - length))
        start, end = _widen_to_atoms(text, start, end)
        spans = _marked_spans(text, folded, terms, occurrences, start, end)
        if spans:
            return _render(text, start, end, spans, formulas)
    start, end = _widen_to_atoms(text, 0, min(len(text), length))
    return _render(text, 0, end, [], formulas)


def highlight(text, terms):
    """Return all of `text` (a title) escaped, with the query's whole-word matches in <mark>."""
    text = text or ""
    folded = fold(text)
    occurrences = _occurrences(folded, terms)
    return _render(text, 0, len(text), _marked_spans(text, folded, terms, occurrences, 0, len(text)))
