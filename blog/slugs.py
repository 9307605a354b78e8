"""Readable ASCII slugs for Chinese and English titles.

Django's `slugify` drops every CJK character, so "倒排索引与搜索" would become "". We spell
Chinese in toneless pinyin, one syllable per hyphen-separated word ("dao-pai-suo-yin-yu-sou-suo"),
and pass Latin text through Django's own slugify so English titles look as usual.

A character's reading depends on its word (重 is "zhong" in 权重 and "chong" in 重排序), and
pypinyin, given a whole title, guesses words by itself. So a title's Han runs are first cut into
words by jieba, knowing the technical words the search keeps (the file named by the setting
SEARCH_USER_DICTIONARY, read here so that blog never imports search) and the words of
blog/slug_readings.txt, which also says how each of its words is read. A word is then spelled
from that file, else by pypinyin's phrase dictionary. Latin text keeps what slugify would lose:
a dot inside a name or version is a hyphen ("qwen1-5"), and "C++" and "C#" are "cpp" and "csharp".

Changing these rules never moves a page: slugs are filled in only when empty, so a post, series
or tag keeps the slug it was given.
"""

import re
import threading
from pathlib import Path

import rjieba
from django.conf import settings
from django.utils.text import slugify
from pypinyin import Style, lazy_pinyin

from .script_ranges import HAN

MAX_SLUG_LENGTH = 80
FALLBACK_SLUG = "untitled"
SLUG_READINGS = Path(__file__).resolve().parent / "slug_readings.txt"
# Jieba frequency of the words added for slugs: high enough that a listed word wins over the
# general dictionary's cut of the same characters ("长上下文", not "长" + "上下文" read alone).
ADDED_WORD_FREQUENCY = 2000

HAN_RUN = re.compile(f"([{HAN}]+)")
# "C++", "g++", "C#", "F#": a language name whose sign slugify would drop ("c-yu-c").
PLUS_PLUS = re.compile(r"(?<=[A-Za-z])\+\+(?![0-9A-Za-z])")
SHARP = re.compile(r"(?<=[A-Za-z])[#♯](?![0-9A-Za-z])")
# A dot between letters or digits ("Qwen1.5", "Node.js", "torch.nn") separates two parts of one
# name; slugify would glue them ("qwen15").
INNER_DOT = re.compile(r"(?<=[0-9A-Za-z])\.(?=[0-9A-Za-z])")

_segmenter_lock = threading.Lock()
_segmenter = None


def parse_readings(lines):
    """Return {word: [syllable, …]} from lines "word syl syl …"; "#" starts a comment."""
    readings = {}
    for line in lines:
        fields = line.split("#", 1)[0].split()
        if len(fields) >= 2:
            readings[fields[0]] = [syllable.lower() for syllable in fields[1:]]
    return readings


def technical_words(path):
    """Return the words of a jieba user dictionary file (first field of each line); [] if unreadable."""
    if not path:
        return []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    return [fields[0] for fields in (line.split("#", 1)[0].split() for line in lines) if fields]


class SlugSegmenter:
    """Jieba with the technical and slug words added, and the readings of the slug words."""

    def __init__(self, readings, extra_words=()):
        self.readings = readings
        self._jieba = rjieba.Jieba()
        for word in [*extra_words, *readings]:
            if len(word) > 1:
                self._jieba.add_word(word, ADDED_WORD_FREQUENCY, None)

    def words(self, han_run):
        """Return the words of a run of Han characters, as jieba cuts it with the added words."""
        return self._jieba.cut(han_run)

    def syllables(self, han_run):
        """Return the toneless pinyin of a run of Han characters, word by word."""
        syllables = []
        for word in self.words(han_run):
            reading = self.readings.get(word)
            if reading is None or len(reading) != len(word):
                # pypinyin finds the word (or its longest known parts) in its phrase dictionary.
                reading = lazy_pinyin(word, style=Style.NORMAL, errors="default")
            syllables.extend(reading)
        return syllables


def slug_segmenter():
    """Return this process's SlugSegmenter, built on first use (jieba's dictionary takes a moment)."""
    global _segmenter
    if _segmenter is None:
        with _segmenter_lock:
            if _segmenter is None:
                readings = parse_readings(SLUG_READINGS.read_text(encoding="utf-8").splitlines())
                dictionary = getattr(settings, "SEARCH_USER_DICTIONARY", None)
                _segmenter = SlugSegmenter(readings, technical_words(dictionary))
    return _segmenter


def spell_latin(text):
    """Return Latin text with the signs slugify would lose spelled out: cpp, csharp, dots as hyphens."""
    text = PLUS_PLUS.sub("pp", text)
    text = SHARP.sub("sharp", text)
    return INNER_DOT.sub("-", text)


def slug_words(text):
    """Return the words of `text` for a slug: pinyin syllables for Han runs, Latin runs as spelled."""
    words = []
    for index, run in enumerate(HAN_RUN.split(text or "")):
        if index % 2:  # split() with a group puts the Han runs at the odd places
            words.extend(slug_segmenter().syllables(run))
        elif run:
            words.append(spell_latin(run))
    return words


def pinyin_slug(text, max_length=MAX_SLUG_LENGTH):
    """Return an ASCII slug for `text`, spelling Chinese words in pinyin; may be ""."""
    slug = slugify(" ".join(slug_words(text)))
    if len(slug) > max_length:
        # Cut at a hyphen so the slug never ends in half a syllable or word.
        slug = slug[: max_length + 1].rsplit("-", 1)[0] if "-" in slug[:max_length] else slug[:max_length]
    return slug.strip("-")


def unique_slug(text, is_taken, max_length=MAX_SLUG_LENGTH):
    """Return pinyin_slug(text), suffixed -2, -3, … until `is_taken(slug)` is false."""
    base = pinyin_slug(text, max_length=max_length) or FALLBACK_SLUG
    candidate = base
    number = 2
    while is_taken(candidate):
        suffix = f"-{number}"
        candidate = base[: max_length - len(suffix)].rstrip("-") + suffix
        number += 1
    return candidate


def fill_unique_slug(instance, text, taken_among=None):
    """Give a model instance with an empty `slug` one spelled from `text`, unique in its table."""
    fill_unique_slugs([instance], [text], taken_among)


def fill_unique_slugs(instances, texts, taken_among=None):
    """Give each instance of one model with an empty `slug` one spelled from its text.

    Slugs are unique in the table and among the instances. `taken_among(slugs)` returns which
    of `slugs` are taken; by default, those of the table's other rows. One query when the
    names are new; only a taken one costs the extra queries of unique_slug.
    """
    pending = [(instance, text) for instance, text in zip(instances, texts, strict=True) if not instance.slug]
    if not pending:
        return
    if taken_among is None:
        others = type(pending[0][0])._default_manager.exclude(
            pk__in=[instance.pk for instance, _ in pending if instance.pk is not None]
        )

        def taken_among(slugs):
            return set(others.filter(slug__in=slugs).values_list("slug", flat=True))

    bases = [pinyin_slug(text) or FALLBACK_SLUG for _, text in pending]
    taken = taken_among(set(bases))
    for (instance, text), base in zip(pending, bases, strict=True):
        if base in taken:
            base = unique_slug(text, lambda slug: slug in taken or bool(taken_among({slug})))
        instance.slug = base
        taken.add(base)
