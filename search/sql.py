"""The SQL a search runs, written out instead of built through querysets.

A search page asks Postgres the same few questions with different words. Built as querysets,
the documents' WHERE clause was compiled five times a page: about 5 ms of Python, a sixth of
the bench's page (`bench/search.py`). Written out, the clauses cost microseconds.

Statements read the search documents as `d`. A Scan is the WHERE clause that picks
documents, with its parameters in order; search.results combines scans into statements.
Every value travels as a parameter; only integers from this code and quoted table names are
written into the text.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import connection

from blog.models import Post, Series, Tag

from .models import SearchDocument


def table(model):
    """Return the quoted table name of `model`."""
    return connection.ops.quote_name(model._meta.db_table)


@dataclass(frozen=True)
class Scan:
    """Search documents meeting every one of `clauses` (SQL over `d`), and their parameters."""

    clauses: tuple = ()
    params: tuple = ()

    def where(self, clause, *params):
        """Return this scan narrowed by `clause`, whose placeholders take `params`."""
        return Scan((*self.clauses, clause), (*self.params, *params))

    def select(self, columns):
        """Return (sql, params) selecting `columns` (over `d`) of the documents scanned."""
        where = " AND ".join(self.clauses) or "TRUE"
        return f"SELECT {columns} FROM {table(SearchDocument)} AS d WHERE {where}", self.params  # noqa: S608


# A document `d` whose post readers may see now, as `Post.objects.published()` has it: its
# publication time is NULL while the post is a draft, kept so by the database (migration
# 0008), so this is a check of the row an index scan returns anyway.
VISIBLE = "d.published_at <= STATEMENT_TIMESTAMP()"


def visible_scan():
    """Documents of the posts readers may see now."""
    return Scan().where(VISIBLE)


def matching(scan, tsquery, column="vector"):
    """Return `scan` narrowed to documents whose `column` (vector, pairs or head) matches `tsquery`."""
    assert column in ("vector", "pairs", "head")
    return scan.where(f"d.{column} @@ %s::tsquery", tsquery)


def in_sample(scan, rate):
    """Return `scan` narrowed to the sample of one document in `rate`, as its partial index has it.

    The clause must read exactly as the index's predicate (search.models.in_sample), with the
    rate written in, or the planner cannot use the small index.
    """
    return scan.where(f"MOD(d.post_id, {int(rate)}) = 0")


def with_tag(scan, slug):
    """Return `scan` narrowed to documents carrying the tag `slug` (none if there is no such tag)."""
    return scan.where(
        f"d.tag_ids @> ARRAY[(SELECT id FROM {table(Tag)} WHERE slug = %s)]::bigint[]",  # noqa: S608
        slug,
    )


def in_series(scan, slug):
    """Return `scan` narrowed to documents of posts in the series `slug`."""
    return scan.where(f"d.series_id = (SELECT id FROM {table(Series)} WHERE slug = %s)", slug)  # noqa: S608


def by_author(scan, username):
    """Return `scan` narrowed to documents of posts written by `username`."""
    return scan.where(
        f"d.post_id IN (SELECT id FROM {table(Post)} WHERE author_id ="  # noqa: S608
        f" (SELECT id FROM {table(get_user_model())} WHERE username = %s))",
        username,
    )


def published_in(scan, months, start, end=None):
    """Return `scan` narrowed to documents published in [start, end) (without `end`: since `start`).

    `months` are the first days of the UTC months the span touches: the GIN index finds those
    (one scan key), and the exact instants are checked on the rows it returns.
    """
    scan = scan.where("d.published_months && %s::date[]", list(months)).where("d.published_at >= %s", start)
    return scan.where("d.published_at < %s", end) if end is not None else scan
