"""Posts to read next: the published posts most related to one post, from the search index.

A "more like this" over the documents the index already keeps, in one statement
(sql.related): the posts sharing the post's tags and series first, then those whose text
shares its most distinctive words. Never the post itself, never a post readers may not see.
"""

from blog.models import Post

from . import sql

RELATED_POSTS = 5
# The post's rarest lexemes looked for in other documents, and how many candidates each pool
# (shared tags and series, shared words) offers for scoring: enough to find five good ones,
# few enough that scoring them reads only a hundred vectors however large the blog.
DISTINCTIVE_LEXEMES = 12
CANDIDATE_POOL = 50
FIELDS = ("id", "slug", "title", "published_at")


def related_posts(post_id, limit=RELATED_POSTS):
    """Return up to `limit` published Posts related to post `post_id`, best first; one query.

    Each Post holds only its id, slug, title and publication time (the rest deferred). A post
    without a document (a draft, say) has none related.
    """
    database = sql.database()
    statement = sql.related(post_id, limit=limit, lexemes=DISTINCTIVE_LEXEMES, pool=CANDIDATE_POOL)
    with database.cursor() as cursor:
        cursor.execute(*statement)
        rows = cursor.fetchall()
    # from_db takes values in the model's field order, whatever order the names come in.
    names = [field.attname for field in Post._meta.concrete_fields if field.attname in FIELDS]
    return [
        Post.from_db(database.alias, names, [dict(zip(FIELDS, row, strict=True))[name] for name in names])
        for row in rows
    ]
