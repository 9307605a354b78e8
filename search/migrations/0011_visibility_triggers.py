"""A document's publication time says whether readers may see its post, kept so by the database.

A document's published_at is its post's publication time while the post is published or
scheduled, and NULL while it is a draft; a search finds a document when that time has come.
Two triggers keep it so whatever writes: every document written takes the value from its
post's row, read under a share lock (so a post changed by a transaction still running is
read once that transaction has committed), and every change to a post's status or
publication time rewrites its document in the same transaction, `QuerySet.update()`
included, so that the first trigger reads the post again. The statuses written out are
those of `Post.LIVE_STATUSES`, in one place.

The replaced migration 0008 created the same functions and triggers, so this one replaces
nothing and is written to run again harmlessly: a database migrated through the old chain
applies it and ends with the very same definitions. (It cannot be part of the squash's
`replaces`: 0008 sits between migrations the initial one replaces, and two squashes that
interleave make a cycle.) Posts written before the triggers existed were brought in line by
0008; a database that starts here has no documents yet.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION search_document_visibility() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT CASE WHEN status IN ('published', 'scheduled') THEN published_at END INTO NEW.published_at
    FROM blog_post WHERE id = NEW.post_id FOR SHARE;
    RETURN NEW;
END
$$;
DROP TRIGGER IF EXISTS search_document_visibility ON search_searchdocument;
CREATE TRIGGER search_document_visibility
    BEFORE INSERT OR UPDATE ON search_searchdocument
    FOR EACH ROW EXECUTE FUNCTION search_document_visibility();

CREATE OR REPLACE FUNCTION search_post_visibility_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Any write of the document will do: search_document_visibility() sets the value.
    UPDATE search_searchdocument SET published_at = NULL WHERE post_id = NEW.id;
    RETURN NULL;
END
$$;
DROP TRIGGER IF EXISTS search_post_visibility_changed ON blog_post;
CREATE TRIGGER search_post_visibility_changed
    AFTER UPDATE OF status, published_at ON blog_post
    FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.published_at IS DISTINCT FROM NEW.published_at)
    EXECUTE FUNCTION search_post_visibility_changed();
"""

DROP = """
DROP TRIGGER IF EXISTS search_post_visibility_changed ON blog_post;
DROP FUNCTION IF EXISTS search_post_visibility_changed();
DROP TRIGGER IF EXISTS search_document_visibility ON search_searchdocument;
DROP FUNCTION IF EXISTS search_document_visibility();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0001_squashed_0008_post_outline_and_plain_excerpt"),
        ("search", "0001_squashed_0010_document_formulas"),
    ]

    operations = [migrations.RunSQL(CREATE, DROP)]
