"""Search documents keep their post's language, so ?language= narrows a search cheaply.

The column is added empty, then filled from the posts in batches, each its own transaction:
on a large site the fill writes every document once, and one long transaction would hold back
indexing for its whole length. A document written meanwhile carries its language already
(search.indexing copies it), and the fill skips what is filled.
"""

from django.db import migrations, models

BATCH = 2000

FILL_BATCH = """
UPDATE search_searchdocument AS d SET language = p.language
FROM blog_post AS p
WHERE p.id = d.post_id AND d.language = '' AND d.post_id >= %s AND d.post_id < %s
"""


def fill_languages(apps, schema_editor):
    """Copy every document's post language onto it, one range of BATCH post ids a statement.

    Outside a transaction (atomic = False) each statement commits by itself.
    """
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT min(post_id), max(post_id) FROM search_searchdocument")
        first, last = cursor.fetchone()
        if first is None:
            return
        for start in range(first, last + 1, BATCH):
            cursor.execute(FILL_BATCH, [start, start + BATCH])


class Migration(migrations.Migration):
    # The fill commits batch by batch.
    atomic = False

    dependencies = [
        ("search", "0013_vocabulary"),
    ]

    operations = [
        migrations.AddField(
            model_name="searchdocument",
            name="language",
            field=models.CharField(blank=True, default="", max_length=2, verbose_name="language"),
        ),
        migrations.RunPython(fill_languages, migrations.RunPython.noop, elidable=True),
    ]
