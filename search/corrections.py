"""What a query that finds nothing was probably meant to be: a spelling fixed, or pinyin written in Han.

Both come from the index's own vocabulary (search.vocabulary), so a correction only ever names
words published posts contain:

* a misspelt word ("Atention", "transfomer") becomes the most similar word of the vocabulary
  by trigram similarity (pg_trgm), the more common one on a tie;
* a query written in pinyin, with or without spaces, tone marks or tone numbers ("qiang hua
  xue xi", "qianghuaxuexi", "dàopái suǒyǐn"), becomes the fewest vocabulary words whose
  pinyin spells it, run together ("强化学习", "倒排 索引").

One statement looks both up; search.results runs the corrected query only when the original
finds nothing, and shows its results with a note.
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from pypinyin.pinyin_dict import pinyin_dict

from . import sql
from .vocabulary import MAX_WORD_LENGTH, toneless

SPELLING = "spelling"
PINYIN = "pinyin"
# A word this short has too few trigrams to be told from its neighbours.
MIN_MISSPELT_LENGTH = 4
LATIN_WORD = re.compile(r"[a-z]+")
PINYIN_SEPARATORS = re.compile(r"[\s'’-]+")
# A pinyin query longer than this is not a search for a few words.
MAX_PINYIN_LENGTH = 60
# Syllables of the longest word looked up ("卷积神经网络" has six).
MAX_WORD_SYLLABLES = 8
# "m", "n", "ng", "hm"… are interjections' readings: as syllables they would let English words
# pass for pinyin.
NOT_SYLLABLES = frozenset({"m", "n", "ng", "hm", "hng"})


@dataclass(frozen=True)
class Correction:
    """A query to run instead of the reader's, and whether it fixes spelling or reads pinyin."""

    text: str
    kind: str


@cache
def syllables():
    """Return the set of toneless pinyin syllables ("qiang", "lv", …) pypinyin knows."""
    found = set()
    for readings in pinyin_dict.values():
        for reading in readings.split(","):
            found.add(toneless(reading))
    return (
        frozenset(syllable for syllable in found if syllable.isascii() and syllable.isalpha()) - NOT_SYLLABLES
    )


def pinyin_boundaries(text):
    """Return (the pinyin run together, the offsets where a word may start or end), or None.

    None when `text` is not pinyin: anything but letters and separators, or a run of letters
    that no split into syllables covers. A boundary lies between syllables of some split that
    covers the whole text, and at every separator the reader typed.
    """
    text = toneless(text).strip()
    chunks = [chunk for chunk in PINYIN_SEPARATORS.split(text) if chunk]
    if not chunks or any(not LATIN_WORD.fullmatch(chunk) for chunk in chunks):
        return None
    joined = "".join(chunks)
    if len(joined) > MAX_PINYIN_LENGTH:
        return None
    known = syllables()
    longest = max(len(syllable) for syllable in known)
    boundaries = {0}
    start = 0
    for chunk in chunks:
        # Offsets reachable from the chunk's start by syllables, then those from which its end is.
        reach = {0}
        for offset in range(len(chunk)):
            if offset in reach:
                reach.update(
                    offset + size
                    for size in range(1, longest + 1)
                    if chunk[offset : offset + size] in known and offset + size <= len(chunk)
                )
        if len(chunk) not in reach:
            return None
        back = {len(chunk)}
        for offset in range(len(chunk) - 1, -1, -1):
            if any(
                offset + size in back and chunk[offset : offset + size] in known
                for size in range(1, longest + 1)
            ):
                back.add(offset)
        boundaries.update(start + offset for offset in reach & back)
        start += len(chunk)
    return joined, sorted(boundaries)


def pinyin_keys(joined, boundaries):
    """Return the spans of `joined` between boundaries that a vocabulary word's pinyin may equal."""
    longest = MAX_WORD_SYLLABLES * 6
    return sorted(
        {
            joined[start:end]
            for index, start in enumerate(boundaries)
            for end in boundaries[index + 1 :]
            if end - start <= longest
        }
    )


def best_cover(joined, boundaries, words_by_pinyin):
    """Return the fewest vocabulary words whose pinyin spells `joined`, the commonest on a tie; or None."""
    best = {0: (0, 0, [])}
    for end in boundaries[1:]:
        options = []
        for start in boundaries:
            if start >= end or start not in best:
                continue
            word = words_by_pinyin.get(joined[start:end])
            if word:
                count, documents, words = best[start]
                options.append((count + 1, documents - word[1], [*words, word[0]]))
        if options:
            best[end] = min(options, key=lambda option: option[:2])
    return best.get(len(joined), (0, 0, None))[2]


def misspelling_candidates(text):
    """Return the words of `text` a spelling correction may replace: Latin words, not excluded or quoted."""
    candidates = []
    for chunk in text.split():
        word = unicodedata.normalize("NFKC", chunk).lower()
        if MIN_MISSPELT_LENGTH <= len(word) <= MAX_WORD_LENGTH and LATIN_WORD.fullmatch(word):
            candidates.append(word)
    return candidates


def correct(text):
    """Return the Correction of a query `text` that found nothing, or None: pinyin first, then spelling.

    At most one statement, none when the query has nothing a correction could change.
    """
    pinyin = pinyin_boundaries(text)
    keys = pinyin_keys(*pinyin) if pinyin else []
    candidates = misspelling_candidates(text)
    if not keys and not candidates:
        return None
    with sql.database().cursor() as cursor:
        cursor.execute(*sql.correction_lookup(sorted(set(candidates)), keys))
        rows = cursor.fetchall()
    spelled, by_pinyin = {}, {}
    for kind, key, word, documents in rows:
        if kind == PINYIN:
            if key not in by_pinyin or documents > by_pinyin[key][1]:
                by_pinyin[key] = (word, documents)
        else:
            spelled[key] = word
    if pinyin:
        words = best_cover(*pinyin, by_pinyin)
        if words:
            return Correction(" ".join(words), PINYIN)
    if not spelled:
        return None
    chunks = []
    for chunk in text.split():
        word = unicodedata.normalize("NFKC", chunk).lower()
        chunks.append(spelled.get(word, chunk))
    return Correction(" ".join(chunks), SPELLING)
