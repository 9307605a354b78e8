"""A reader's query, parsed into a tsquery over the lexemes that :mod:`search.tokenize` indexes.

The syntax is what search boxes have taught everyone:

* words are ANDed: ``AdamW 权重衰减``;
* ``"quoted phrases"`` (also “…” and 「…」) must appear in that order, next to each other;
  two words next to each other are one lexeme of the document's adjacent pairs (see
  :mod:`search.models`), so a phrase is answered by the index without reading any vector;
* ``-word`` and ``-"a phrase"`` exclude posts containing them.

English words match their singular and plural forms ("transformer" finds "Transformers",
"indexes" finds "index"): light stemming on the query side, so documents keep their words as
written and identifiers are never mangled. A single Han character typed alone matches any word
starting with it. Excluded words and phrases match exactly.

The tsquery is written as a literal for the same reason the tsvector is (see
:mod:`search.documents`): ``to_tsquery`` would re-parse our lexemes.
"""

import re
from dataclasses import dataclass
from itertools import pairwise
from typing import NamedTuple

from .tokenize import fold, is_han, segment

MAX_QUERY_LENGTH = 200
QUOTES = '"“”「」『』'
CHUNK_PATTERN = re.compile(
    rf"(?P<minus>-?)(?:[\"“「『](?P<phrase>[^{QUOTES}]*)[{QUOTES}]?|(?P<words>[^\s{QUOTES}]+))"
)
ASCII_LETTERS = re.compile(r"[a-z]+")


class Term(NamedTuple):
    """A lexeme the reader asked for; with `prefix`, any lexeme starting with it matches."""

    lexeme: str
    prefix: bool


class Condition(NamedTuple):
    """What a matching document satisfies: a tsquery on its vector and one on its pairs.

    Either may be "" for none. Together they match exactly the documents the positional
    tsquery matches, but a phrase of two adjacent words costs an index lookup of their pair
    rather than a check of every candidate's positions.
    """

    vector: str
    pairs: str


NOTHING = Condition("", "")


class QueryGroup(NamedTuple):
    """One positive part of a query as typed (a word run or a phrase), its tsquery and Condition."""

    label: str
    tsquery: str
    match: Condition


@dataclass(frozen=True)
class ParsedQuery:
    """What a query asks for: the tsquery, the terms to highlight, and its positive parts."""

    text: str
    tsquery: str
    terms: tuple
    groups: tuple
    has_exclusions: bool = False
    match: Condition = NOTHING
    # The words typed outside quotes, in the order and at the distances typed: not required,
    # but a document where they stand so ranks higher (see search.sql.score). "" for one word.
    proximity: str = ""

    @property
    def is_empty(self):
        """True when there is nothing to search for (empty, punctuation, stop words or only exclusions)."""
        return not self.tsquery


def english_forms(word):
    """Return `word` with the singular and plural forms it may stand for ("index" → index, indexes).

    Guesses are cheap: a form no post contains matches nothing, so "caches" asks for "cache"
    and "cach" both rather than knowing English spelling.
    """
    if len(word) < 3 or not ASCII_LETTERS.fullmatch(word):
        return [word]
    if word.endswith("ies") and len(word) > 4:
        return [word, word[:-3] + "y"]
    if word.endswith("es") and len(word) > 4:
        return [word, word[:-1], word[:-2]]
    if word.endswith("s") and not word.endswith("ss"):
        return [word, word[:-1]]
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return [word, word + "es"]
    if word.endswith("y") and word[-2] not in "aeiou":
        return [word, word[:-1] + "ies"]
    return [word, word + "s"]


def quote_lexeme(lexeme):
    """Return `lexeme` quoted for a tsquery or tsvector literal."""
    escaped = lexeme.replace("\\", "\\\\").replace("'", "''")
    return f"'{escaped}'"


def terms_for(lexeme, *, exact=False, alone=True):
    """Return the Terms a query word matches, any of which will do.

    A Han character matches by prefix only when it is all the reader typed (`alone`): "树"
    should find "树状数组", but the "化" that jieba splits off "正则化" should not find "化学".
    """
    if exact:
        return [Term(lexeme, False)]
    if is_han(lexeme):
        return [Term(lexeme, alone and len(lexeme) == 1)]
    return [Term(form, False) for form in english_forms(lexeme)]


def term_tsquery(term):
    """Return the tsquery operand of one term."""
    return quote_lexeme(term.lexeme) + (":*" if term.prefix else "")


def alternatives_tsquery(terms):
    """Return the tsquery operand matching any of `terms`."""
    operands = [term_tsquery(term) for term in terms]
    return operands[0] if len(operands) == 1 else "(" + " | ".join(operands) + ")"


def pair_lexeme(first, second):
    """Return the lexeme of the document pairs for `first` followed right away by `second`."""
    return f"{first} {second}"


def _phrase(tokens):
    """Return (tsquery, terms, Condition) for tokens that must follow each other at their distances.

    Where every two consecutive tokens touch, the phrase is their pairs, plus its words for
    the vector, which the pairs imply: no position is checked. Longer phrases also keep the
    positional tsquery, as pairs anywhere in a document do not make a chain; their pairs
    narrow the candidates it is checked on.
    """
    terms = [Term(token.lexeme, False) for token in tokens]
    parts = [term_tsquery(terms[0])]
    pairs = []
    touching = True
    for previous, token, term in zip(tokens, tokens[1:], terms[1:], strict=False):
        parts.append(f"<{token.position - previous.position}>")
        parts.append(term_tsquery(term))
        if token.position == previous.position + previous.width:
            pairs.append(quote_lexeme(pair_lexeme(previous.lexeme, token.lexeme)))
        else:
            touching = False
    if len(tokens) == 1:
        return parts[0], terms, Condition(parts[0], "")
    tsquery = "(" + " ".join(parts) + ")"
    if touching and len(tokens) == 2:
        words = "(" + " & ".join(term_tsquery(term) for term in terms) + ")"
        return tsquery, terms, Condition(words, pairs[0])
    return tsquery, terms, Condition(tsquery, " & ".join(pairs))


def _all_of(tsqueries):
    """Return the tsquery requiring all the non-empty `tsqueries`, or ""."""
    present = [tsquery for tsquery in tsqueries if tsquery]
    return present[0] if len(present) == 1 else " & ".join(f"({tsquery})" for tsquery in present)


def _proximity(text):
    """Return the tsquery of the words of `text` standing in order at the distances typed, or ""."""
    tokens = [token for token in segment(text) if token.primary]
    if len(tokens) < 2:
        return ""
    parts = [alternatives_tsquery(terms_for(tokens[0].lexeme, alone=False))]
    for previous, token in pairwise(tokens):
        parts.append(f"<{token.position - previous.position}>")
        parts.append(alternatives_tsquery(terms_for(token.lexeme, alone=False)))
    return "(" + " ".join(parts) + ")"


def parse_query(text):
    """Return the ParsedQuery of `text` as a reader typed it; never raises on odd input."""
    text = " ".join((text or "")[:MAX_QUERY_LENGTH].split())
    clauses, terms, groups, vector_clauses, pair_clauses, word_chunks = [], [], [], [], [], []
    has_exclusions = False
    # Folding keeps the length, so spans found in the folded text label the text as typed.
    for match in CHUNK_PATTERN.finditer(fold(text)):
        excluded = bool(match.group("minus"))
        chunk = match.group("phrase") if match.group("phrase") is not None else match.group("words")
        tokens = [token for token in segment(chunk) if token.primary]
        if not tokens:
            continue
        if match.group("phrase") is not None:
            clause, chunk_terms, condition = _phrase(tokens)
        else:
            alternatives = [
                terms_for(token.lexeme, exact=excluded, alone=len(tokens) == 1) for token in tokens
            ]
            chunk_terms = [term for terms_of_word in alternatives for term in terms_of_word]
            operands = [alternatives_tsquery(terms_of_word) for terms_of_word in alternatives]
            clause = operands[0] if len(operands) == 1 else "(" + " & ".join(operands) + ")"
            condition = Condition(clause, "")
        if excluded:
            # Positional: a pair cannot be excluded in the index without scanning all pairs.
            has_exclusions = True
            clauses.append(f"!{clause}")
            vector_clauses.append(f"!{clause}")
            continue
        if match.group("phrase") is None:
            word_chunks.append(chunk)
        clauses.append(clause)
        vector_clauses.append(condition.vector)
        pair_clauses.append(condition.pairs)
        groups.append(QueryGroup(text[match.start() : match.end()], clause, condition))
        terms.extend(term for term in chunk_terms if term not in terms)
    if not groups:
        return ParsedQuery(text=text, tsquery="", terms=(), groups=(), has_exclusions=has_exclusions)
    return ParsedQuery(
        text=text,
        tsquery=" & ".join(clauses),
        terms=tuple(terms),
        groups=tuple(groups),
        has_exclusions=has_exclusions,
        match=Condition(" & ".join(vector_clauses), _all_of(pair_clauses)),
        proximity=_proximity(" ".join(word_chunks)),
    )
