"""A document's publication time says whether readers may see its post, kept so by the database.

A document's published_at is its post's publication time while the post is published or
scheduled, and NULL while it is a draft; a search finds a document when that time has come.
Two triggers keep it so whatever writes: every document written takes the value from its
post's row, read under a share lock (so a post changed by a transaction still running is
read once that transaction has committed), and every change to a post's status or
publication time rewrites its document in the same transaction, `QuerySet.update()`
included, so that the first trigger reads the post again. The statuses written out are
those of `Post.LIVE_STATUSES`, in one place.
"""

from django.db import migrations

CREATE = """
CREATE FUNCTION search_document_visibility() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT CASE WHEN status IN ('published', 'scheduled') THEN published_at END INTO NEW.published_at
    FROM blog_post WHERE id = NEW.post_id FOR SHARE;
    RETURN NEW;
END
$$;
CREATE TRIGGER search_document_visibility
    BEFORE INSERT OR UPDATE ON search_searchdocument
    FOR EACH ROW EXECUTE FUNCTION search_document_visibility();

CREATE FUNCTION search_post_visibility_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Any write of the document will do: search_document_visibility() sets the value.
    UPDATE search_searchdocument SET published_at = NULL WHERE post_id = NEW.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER search_post_visibility_changed
    AFTER UPDATE OF status, published_at ON blog_post
    FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.published_at IS DISTINCT FROM NEW.published_at)
    EXECUTE FUNCTION search_post_visibility_changed();

UPDATE search_searchdocument AS document SET published_at = NULL
FROM blog_post AS post
WHERE post.id = document.post_id AND post.status NOT IN ('published', 'scheduled');
"""

DROP = """
DROP TRIGGER search_post_visibility_changed ON blog_post;
DROP FUNCTION search_post_visibility_changed();
DROP TRIGGER search_document_visibility ON search_searchdocument;
DROP FUNCTION search_document_visibility();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0006_merge_0004_post_not_live_0005_post_body_help"),
        ("search", "0007_sparse_sample"),
    ]

    operations = [migrations.RunSQL(CREATE, DROP)]
