"""The search index of posts and the domain words that shape it."""

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Func, Q, Value
from django.db.models.functions import Mod
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _

# One document in SAMPLE_RATE (by post id) is also in a small index of its own, from which
# very large result sets are counted, and one in SPARSE_SAMPLE_RATE in a smaller one still,
# for the largest (see search.results).
SAMPLE_RATE = 8
SPARSE_SAMPLE_RATE = 32


def TimeInUtc(field_name):
    """The UTC wall-clock time of a timestamptz column: immutable, so fit for generated columns."""
    return Func(Value("UTC"), F(field_name), function="timezone", output_field=models.DateTimeField())


def in_sample(rate=SAMPLE_RATE):
    """The condition that puts a document in the sample index of one document in `rate`."""
    return Q(Exact(Mod("post_id", rate), 0))


class SearchDocument(models.Model):
    """A post as the search engine sees it: its weighted lexemes and its plain text.

    Kept beside the post rather than on it, so the blog's table stays the blog's. Documents
    exist for posts that are published or scheduled; whether a reader may see one *now* is
    still decided at query time by `Post.objects.published()`.
    """

    post = models.OneToOneField(
        "blog.Post",
        verbose_name=_("post"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="search_document",
    )
    # Built in Python from segmented text (see search.documents): title A, tags and series B,
    # body C, identifiers from code blocks D.
    vector = SearchVectorField(_("search vector"))
    # The title, tags and series part of the vector: small, so that ranking the posts whose
    # heading matches stays cheap when a common word matches most of the blog.
    head = models.GeneratedField(
        expression=Func(F("vector"), Value("{a,b}"), function="ts_filter", output_field=SearchVectorField()),
        output_field=SearchVectorField(),
        db_persist=True,
        verbose_name=_("title and tags vector"),
    )
    # Every two lexemes that touch ("silver bullet", "长 上下文"), derived from the vector's
    # positions by the SQL function search_adjacent_pairs (see the initial migration): a quoted
    # phrase of two words is one lookup in the GIN index instead of a check of the positions
    # in every candidate's vector. Positionless, never ranked on, never read by a search.
    pairs = models.GeneratedField(
        expression=Func(F("vector"), function="search_adjacent_pairs", output_field=SearchVectorField()),
        output_field=SearchVectorField(),
        db_persist=True,
        verbose_name=_("adjacent lexeme pairs"),
    )
    # The body's visible text, from which result snippets are cut (see search.documents
    # snippet_text): each inline formula in it is one U+FFFC, whose MathML is in `formulas`.
    text = models.TextField(_("text"), blank=True)
    formulas = models.JSONField(_("formulas"), default=list, blank=True)
    # Copies of the post's fields for facet counts, filters and the recency boost, refreshed
    # with the vector, so a search never reads the posts table for the thousands of posts it
    # counts.
    # The publication time is also what makes a document findable (see search.results): the
    # post's while it is published or scheduled, NULL while it is a draft. Two triggers keep
    # it so in the same transaction as any write of a post or a document, whatever the
    # writer (migration 0011_visibility_triggers): writers leave it out, and a value given is overwritten.
    published_at = models.DateTimeField(_("publication time"), null=True)
    # The first day of its UTC month as a one-element array, for the GIN index: a span of
    # time is the overlap with a short list of months, one scan key (a range of instants in a
    # GIN index, through btree_gin, was two half-lines, each collecting every document beyond
    # its bound); the exact bounds are then checked on the few rows the months return.
    published_months = models.GeneratedField(
        expression=Func(
            Func(Value("month"), TimeInUtc("published_at"), function="date_trunc"),
            template="ARRAY[(%(expressions)s)::date]",
            output_field=ArrayField(models.DateField()),
        ),
        output_field=ArrayField(models.DateField()),
        db_persist=True,
        verbose_name=_("publication month (UTC)"),
    )
    series = models.ForeignKey(
        "blog.Series",
        verbose_name=_("series"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # checked on the rows the GIN index below returns
    )
    tag_ids = ArrayField(models.BigIntegerField(), verbose_name=_("tag ids"), default=list, blank=True)
    # The post's language (?language=), checked like the series on the rows the index returns:
    # asked of the posts table instead, a search in one language probed the post of every
    # match (140 ms for a word in 61,000 posts, none of them in that language).
    language = models.CharField(_("language"), max_length=2, blank=True, default="")
    indexed_at = models.DateTimeField(_("indexed"), auto_now=True)

    class Meta:
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")
        indexes = [
            # The vectors and the copied array fields (the month standing for the time) share one
            # GIN index, so a search narrowed by year or tag, or after a date (the most recent
            # matches), is one index scan. Every column is one GIN indexes natively: the index
            # needs no extension, so every server (the embedded one of `make run` included)
            # builds this same index. The series is checked on the rows the index returns. A
            # btree index on any copied field alone would tempt the planner to check @@ on every
            # document it selects, reading each one's vector, which it believes free.
            GinIndex(
                fields=["vector", "pairs", "head", "published_months", "tag_ids"],
                name="search_document_search",
            ),
            # The samples' indexes narrow by year and tag too (array columns, native to GIN):
            # without them a search by year read the sample's matches of every year.
            GinIndex(
                fields=["vector", "pairs", "published_months", "tag_ids"],
                name="search_document_sampled",
                condition=in_sample(),
            ),
            GinIndex(
                fields=["vector", "pairs", "published_months", "tag_ids"],
                name="search_document_sparse_sample",
                condition=in_sample(SPARSE_SAMPLE_RATE),
            ),
        ]

    def __str__(self):
        return str(self.post_id)


class DictionaryWord(models.Model):
    """A domain word the segmenter keeps whole, such as "扩散模型" or "自注意力"."""

    word = models.CharField(
        _("word"),
        max_length=50,
        unique=True,
        help_text=_("A Chinese term to keep whole in search, e.g. 扩散模型. Latin words need no entry."),
    )
    frequency = models.PositiveIntegerField(
        _("frequency"),
        null=True,
        blank=True,
        help_text=_(
            "Optional. Higher values win over other ways of cutting the text; empty is usually right."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("dictionary word")
        verbose_name_plural = _("dictionary words")
        ordering = ["word"]

    def __str__(self):
        return self.word


class VocabularyWord(models.Model):
    """A lexeme the published posts' documents hold, how many hold it, and its pinyin.

    The index's own vocabulary, from which a query that finds nothing is corrected: a
    misspelt word by trigram similarity (pg_trgm), pinyin typed for Chinese by `pinyin`.
    Rebuilt from the documents (search.vocabulary); written by nothing else.
    """

    word = models.TextField(_("word"), primary_key=True)
    # The toneless pinyin of a word written in Han characters, syllables run together
    # ("强化学习" → "qianghuaxuexi"); empty for every other word.
    pinyin = models.TextField(_("pinyin"), blank=True, default="")
    documents = models.PositiveIntegerField(_("documents"))

    class Meta:
        verbose_name = _("vocabulary word")
        verbose_name_plural = _("vocabulary words")
        indexes = [
            GinIndex(fields=["word"], opclasses=["gin_trgm_ops"], name="search_vocabulary_trigrams"),
            models.Index(fields=["pinyin"], condition=~Q(pinyin=""), name="search_vocabulary_pinyin"),
        ]

    def __str__(self):
        return self.word
