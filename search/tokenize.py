"""Segmentation of Chinese and English text into search tokens: one function for posts and queries.

PostgreSQL has no Chinese parser, so Inkstone segments in the application and hands Postgres
finished lexemes. `segment()` is used for documents and queries alike, which is what makes them
meet:

* Text is first *folded*: NFKC (full-width ``ＧＰＴ`` → ``gpt``), lower case, and Traditional
  characters converted to Simplified with OpenCC, so "倒排索引" and "倒排索引" in Traditional
  script are the same lexemes. Folding never changes the length of the text, so token offsets
  point into the original and highlights land on the characters the reader sees.
* Runs of Han characters are cut by jieba (the rjieba binding of jieba-rs, same dictionary and
  algorithm, several times faster) in *search mode*: the precise segmentation gives the
  *primary* words (``梯度`` ``检查点``); dictionary words inside longer ones are added as
  *secondary* tokens (``检查`` inside ``检查点``), so a query for the part finds the whole.
* Latin runs are kept whole when they look like identifiers or model names (``qwen1.5``,
  ``gpt-4o``, ``deepseek-r1``, ``c++``, ``x86_64``), with their parts as secondary tokens
  (``deepseek``, ``r1``, and ``qwen`` for ``qwen1.5``). Queries ask for singular and plural
  forms (see :mod:`search.query`), so documents keep their words as written.
* Stop words are dropped but still count as positions, so phrase distances stay exact.

Every token carries a *position* counted in "atoms": one per Han character and one per Latin
word, ignoring spaces and punctuation. Chinese words of different granularity therefore line up
("扩散模型" starts where "扩散" starts and "模型" starts two atoms later), which lets phrase
queries work whether the query and the document were cut into the same words or not.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from typing import NamedTuple

import opencc
import rjieba

from blog.script_ranges import HAN, HAN_CHARACTER, HANGUL, KANA

# Letters of alphabetic scripts (after lower-casing: Latin, Greek, Cyrillic), digits, kana and
# hangul form "words".
WORD_CHARACTER = f"0-9a-z\u00df-\u024f\u0370-\u03ff\u0400-\u04ff{KANA}{HANGUL}"
TOKEN_PATTERN = re.compile(
    rf"(?P<han>[{HAN}]+)"
    rf"|(?P<word>[{WORD_CHARACTER}]+(?:[._\-][{WORD_CHARACTER}]+)*(?:\+\+|#)?)"
)
# A compound such as "deepseek-r1" or "torch.nn" splits into parts at these connectors; a dot
# between two digits ("qwen1.5", "3.14") is part of a version number and does not split.
PART_SEPARATOR = re.compile(r"[_\-]|(?<![0-9])\.|\.(?![0-9])")
# The name in a versioned name: "qwen" in "qwen1.5", "llama" in "llama3".
LEADING_NAME = re.compile(r"[a-z]{3,}(?=[0-9])")

CHINESE_STOP_WORDS = frozenset(
    """的 了 是 在 和 与 及 或 也 就 都 而 且 但 被 把 对 从 到 为
    以 之 其 这 那 这个 那个 这些 那些 一个 一些 一种 我们 你们 他们
    它们 我 你 他 她 它 着 吗 呢 吧 啊 呀 等 并 及其 以及 如果 因为
    所以 就是 还是 或者 而且 但是 然后 可以 什么 怎么 如何 即 则 得 地""".split()  # noqa: SIM905 - a word list reads best as words
)
ENGLISH_STOP_WORDS = frozenset(
    """a an the and or of to in on at by for with from as is are was were be been being it its
    this that these those not no but if then than so such into onto about over under via we
    you he she they i me my our your their his her them us do does did done has have had will
    would can could should may might must shall also just only very more most other some any
    each all both there here what which who whom whose when where why how s t""".split()  # noqa: SIM905 - a word list reads best as words
)
STOP_WORDS = CHINESE_STOP_WORDS | ENGLISH_STOP_WORDS


class Token(NamedTuple):
    """One lexeme found in a text.

    `start`/`end` are character offsets into the text as given; `position` and `width` are in
    atoms (see the module docstring). Primary tokens tile the text; secondary ones lie inside a
    primary (sub-words, compound parts, single characters).
    """

    lexeme: str
    start: int
    end: int
    position: int
    width: int
    primary: bool


class _FoldTable(dict):
    """A `str.translate` table filled lazily: NFKC plus lower case, one character for one."""

    def __missing__(self, codepoint):
        character = chr(codepoint)
        folded = unicodedata.normalize("NFKC", character).lower()
        value = folded if len(folded) == 1 else character.lower()
        if len(value) != 1:  # "İ".lower() is two characters; keep the original
            value = character
        self[codepoint] = value
        return value


_fold_table = _FoldTable()
_to_simplified = opencc.OpenCC("t2s.json")


def fold(text):
    """Return `text` normalised for matching, with exactly the same length as `text`.

    Full-width forms become ASCII, letters become lower case and Traditional Han characters
    become Simplified, so offsets found in the folded text are offsets in the original.
    """
    folded = text.translate(_fold_table)
    if not HAN_CHARACTER.search(folded):
        return folded
    simplified = _to_simplified.convert(folded)
    if len(simplified) == len(folded):
        return simplified
    # A phrase conversion changed the length; convert character by character instead.
    return "".join(
        converted if len(converted := _to_simplified.convert(character)) == 1 else character
        for character in folded
    )


def is_han(text):
    """True when `text` starts with a Han character."""
    return bool(text) and HAN_CHARACTER.match(text) is not None


class Segmenter:
    """A jieba dictionary (the default one plus domain words) and the rules around it."""

    def __init__(self, extra_words=()):
        self._jieba = rjieba.Jieba()
        for word, frequency in extra_words:
            word = fold(word.strip())
            if word:
                self._jieba.add_word(word, frequency, None)

    def segment(self, text, *, single_characters=False):
        """Return the non-stop-word tokens of `text` in order of position.

        With `single_characters`, every Han character is also a secondary token; titles and
        tags use it so that a one-character query finds a word containing that character.
        """
        folded = fold(text)
        tokens = []
        position = 0
        for match in TOKEN_PATTERN.finditer(folded):
            if match.lastgroup == "han":
                position = self._segment_han(
                    match.group(), match.start(), position, tokens, single_characters
                )
            else:
                self._segment_word(match.group(), match.start(), position, tokens)
                position += 1
        return tokens

    def _segment_han(self, run, offset, position, tokens, single_characters):
        # Search mode lists, for each word of the precise cut, the dictionary words inside it
        # and then the word itself; the words that no earlier, longer one covers are primary.
        covered_until = 0
        found = []
        for word, start, end in sorted(
            self._jieba.tokenize(run, mode="search", hmm=True), key=lambda item: (item[1], -item[2])
        ):
            primary = start >= covered_until
            covered_until = max(covered_until, end)
            found.append((word, start, end, primary))
        if single_characters:
            single = {start for word, start, end, _ in found if end - start == 1}
            found.extend(
                (run[index], index, index + 1, False) for index in range(len(run)) if index not in single
            )
            found.sort(key=lambda item: (item[1], -item[2]))
        for word, start, end, primary in found:
            if word not in STOP_WORDS:
                tokens.append(
                    Token(word, offset + start, offset + end, position + start, end - start, primary)
                )
        return position + len(run)

    def _segment_word(self, word, offset, position, tokens):
        if word not in STOP_WORDS:
            tokens.append(Token(word, offset, offset + len(word), position, 1, True))
        name = LEADING_NAME.match(word)
        if name:
            tokens.append(Token(name.group(), offset, offset + name.end(), position, 1, False))
        if not PART_SEPARATOR.search(word):
            return
        cursor = 0
        for part in PART_SEPARATOR.split(word):
            start = word.index(part, cursor)
            cursor = start + len(part)
            if len(part) > 1 and part != word and part not in STOP_WORDS:
                tokens.append(Token(part, offset + start, offset + cursor, position, 1, False))


_segmenter_lock = threading.Lock()
_segmenter = None
_segmenter_version = None


def get_segmenter(*, recheck=False):
    """Return the process's segmenter, rebuilt when the domain dictionary has changed.

    `recheck` asks the shared dictionary version now instead of trusting the last look.
    """
    global _segmenter, _segmenter_version
    from .dictionary import dictionary_version, user_words  # the dictionary reads settings and the DB

    version = dictionary_version(recheck=recheck)
    if _segmenter is None or version != _segmenter_version:
        with _segmenter_lock:
            if _segmenter is None or version != _segmenter_version:
                _segmenter = Segmenter(user_words())
                _segmenter_version = version
    return _segmenter


def segment(text, *, single_characters=False):
    """Return the search tokens of `text` (a post's title, tags, body, or a reader's query)."""
    return get_segmenter().segment(text, single_characters=single_characters)
