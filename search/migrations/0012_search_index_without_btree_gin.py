"""The main search index without the series, on every database: one index shape, no btree_gin.

Until now the series shared the vectors' GIN index through btree_gin where the server had it,
and was left out where it had not (the embedded server of `make run`), so production and the
benches had different indexes. The initial migration builds the index without it. This one
brings a database migrated through the old chain on a server with btree_gin to the same
shape: it builds the new index beside the old one without blocking writes, swaps them, and
drops btree_gin, which nothing of ours needs any more (left alone if something else uses it).
Elsewhere it changes nothing. It goes when the replaced migrations go.
"""

from django.contrib.postgres.indexes import GinIndex
from django.db import migrations

# As search.models has it, frozen here.
SEARCH_INDEX = GinIndex(
    fields=["vector", "pairs", "head", "published_months", "tag_ids"], name="search_document_search"
)
REBUILT_INDEX = GinIndex(fields=SEARCH_INDEX.fields, name="search_document_search_rebuilt")

INDEX_HAS_SERIES = """
SELECT 1 FROM pg_index
JOIN pg_attribute ON pg_attribute.attrelid = pg_index.indrelid
    AND pg_attribute.attnum = ANY (pg_index.indkey)
WHERE pg_index.indexrelid = to_regclass('search_document_search')
    AND pg_attribute.attname = 'series_id'
"""

DROP_BTREE_GIN = """
DO $$
BEGIN
    DROP EXTENSION IF EXISTS btree_gin;
EXCEPTION WHEN dependent_objects_still_exist OR insufficient_privilege THEN
    RAISE NOTICE 'btree_gin is still used or not ours: left installed';
END
$$
"""


def rebuild_without_series(apps, schema_editor):
    """Replace a search index that holds the series by one that does not; drop btree_gin."""
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(INDEX_HAS_SERIES)
        has_series = cursor.fetchone() is not None
    if has_series:
        model = apps.get_model("search", "SearchDocument")
        # A run cut short leaves an invalid index behind: start again.
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {REBUILT_INDEX.name}")
        schema_editor.add_index(model, REBUILT_INDEX, concurrently=True)
        schema_editor.remove_index(model, SEARCH_INDEX, concurrently=True)
        schema_editor.rename_index(model, REBUILT_INDEX, SEARCH_INDEX)
    schema_editor.execute(DROP_BTREE_GIN)


class Migration(migrations.Migration):
    # CREATE/DROP INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [
        ("search", "0011_visibility_triggers"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The state after the old chain still holds the series; after the initial
            # migration it does not, and removing and adding the index is a no-op.
            state_operations=[
                migrations.RemoveIndex(model_name="searchdocument", name=SEARCH_INDEX.name),
                migrations.AddIndex(model_name="searchdocument", index=SEARCH_INDEX),
            ],
            database_operations=[
                migrations.RunPython(rebuild_without_series, migrations.RunPython.noop, elidable=True),
            ],
        ),
    ]
