"""The domain dictionary: words the segmenter must keep whole, from a file and from the admin.

Word lists change rarely; every process keeps its segmenter until the shared dictionary version
(a counter in the cache, bumped when an editor changes a word) moves on.
"""

import logging
import time
from pathlib import Path

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

DEFAULT_DICTIONARY = Path(__file__).resolve().parent / "dictionaries" / "technical.txt"
VERSION_CACHE_KEY = "search:dictionary-version"
# How often a process asks the cache whether the dictionary changed.
VERSION_CHECK_SECONDS = 30

_checked_at = None
_version = 0


def dictionary_path():
    """Return the path of the user dictionary file (setting SEARCH_USER_DICTIONARY), or None."""
    path = getattr(settings, "SEARCH_USER_DICTIONARY", DEFAULT_DICTIONARY)
    return Path(path) if path else None


def parse_dictionary(lines):
    """Return (word, frequency or None) pairs from lines in jieba's user dictionary format."""
    words = []
    for line in lines:
        fields = line.split("#", 1)[0].split()
        if not fields:
            continue
        frequency = int(fields[1]) if len(fields) > 1 and fields[1].isdigit() else None
        words.append((fields[0], frequency))
    return words


def user_words():
    """Return every domain word: the dictionary file's, then those added in the admin."""
    from .models import DictionaryWord

    words = []
    path = dictionary_path()
    if path is not None:
        try:
            words.extend(parse_dictionary(path.read_text(encoding="utf-8").splitlines()))
        except OSError:
            logger.warning("Search dictionary %s cannot be read; using jieba's words only.", path)
    words.extend(DictionaryWord.objects.values_list("word", "frequency"))
    return words


def dictionary_version(*, recheck=False):
    """Return the shared dictionary version, asking the cache at most every few seconds."""
    global _checked_at, _version
    now = time.monotonic()
    if recheck or _checked_at is None or now - _checked_at >= VERSION_CHECK_SECONDS:
        try:
            _version = cache.get(VERSION_CACHE_KEY, 0)
        except Exception:  # a cache outage must not take search down; keep the last version
            logger.warning("Cannot read the search dictionary version from the cache.", exc_info=True)
        _checked_at = now
    return _version


def bump_dictionary_version():
    """Tell every process that the dictionary changed; this process notices at once."""
    global _checked_at
    try:
        cache.incr(VERSION_CACHE_KEY)
    except ValueError:
        cache.set(VERSION_CACHE_KEY, 1, timeout=None)
    _checked_at = None
