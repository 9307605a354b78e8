"""The index's own vocabulary: every lexeme of the visible posts' documents, with its pinyin.

Corrections of a query that finds nothing (search.corrections) are looked up here, so they
only ever offer words some published post contains. Postgres lists the lexemes (ts_stat);
pinyin is computed here, in Python (pypinyin), once per word rather than per query.

Words only published posts hold: a draft's or a scheduled post's words are never listed, and
a word whose last post was unpublished stays until the next rebuild, harmlessly, since a
correction is only shown when it finds visible posts.
"""

import unicodedata

from django.db import connection, transaction
from pypinyin import Style, lazy_pinyin

from .models import SearchDocument, VocabularyWord
from .tokenize import is_han

# Longer lexemes are identifiers or URLs: nobody misspells those into a search box.
MAX_WORD_LENGTH = 40
BATCH_SIZE = 5000


def pinyin_of(word):
    """Return the toneless pinyin of a word written in Han characters, run together; else ""."""
    if not word or not all(is_han(character) for character in word):
        return ""
    return "".join(lazy_pinyin(word, style=Style.NORMAL, v_to_u=False))


def toneless(text):
    """Return `text` lowercased without tone marks or tone numbers: "Qiáng huà3" → "qiang hua"."""
    # ü (with or without a tone on it) is written v, as pypinyin writes it: lǜ → lv.
    text = unicodedata.normalize("NFD", text.lower()).replace("u\u0308", "v").replace("u:", "v")
    stripped = "".join(character for character in text if not unicodedata.combining(character))
    return "".join(character for character in stripped if character not in "12345")


def _statistics(post_ids=None):
    """Return [(word, documents)] of the visible documents (only those of `post_ids` if given)."""
    documents = f"SELECT vector FROM {connection.ops.quote_name(SearchDocument._meta.db_table)} AS d"  # noqa: S608
    documents += " WHERE d.published_at <= STATEMENT_TIMESTAMP()"
    if post_ids is not None:
        # ts_stat takes the text of a query: the ids, integers, are written into it.
        documents += f" AND d.post_id IN ({', '.join(str(int(post_id)) for post_id in post_ids)})"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT word, ndoc FROM ts_stat(%(documents)s) WHERE length(word) <= %(longest)s",
            {"documents": documents, "longest": MAX_WORD_LENGTH},
        )
        return cursor.fetchall()


def _words(statistics):
    return [VocabularyWord(word=word, pinyin=pinyin_of(word), documents=count) for word, count in statistics]


def rebuild_vocabulary():
    """Replace the vocabulary with the words of the visible documents now; returns how many."""
    words = _words(_statistics())
    with transaction.atomic():
        VocabularyWord.objects.all().delete()
        VocabularyWord.objects.bulk_create(words, batch_size=BATCH_SIZE)
    return len(words)


def add_words_of(post_ids):
    """Add the words of the documents of `post_ids` the vocabulary lacks; returns how many were new.

    Called as documents are written, so a new post's words can be suggested at once; their
    counts are only those of these posts until the next rebuild recounts them.
    """
    if not post_ids:
        return 0
    statistics = _statistics(post_ids)
    known = set(
        VocabularyWord.objects.filter(word__in=[word for word, _ in statistics]).values_list(
            "word", flat=True
        )
    )
    new = _words([(word, count) for word, count in statistics if word not in known])
    VocabularyWord.objects.bulk_create(new, batch_size=BATCH_SIZE, ignore_conflicts=True)
    return len(new)
