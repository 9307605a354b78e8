"""Migration operations of the replaced search migrations 0002–0006, for a server without btree_gin.

The old chain put plain columns (the series, once the publication time) into the vector's GIN
index, which needs btree_gin, and left them out where the server lacked it (the embedded
server of `make run` and `make test`), so the two had different indexes. Since the squash
there is one index shape that needs no extension (see search.models and migration 0012);
only databases still finishing the old chain run these. They go with the replaced files.
"""

import copy
import warnings

from django.contrib.postgres.operations import BtreeGinExtension
from django.db import migrations

EXTENSION = "btree_gin"


def has_btree_gin(schema_editor):
    """True when btree_gin is installed in the database being migrated."""
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = %s", [EXTENSION])
        return cursor.fetchone() is not None


class BtreeGinExtensionIfAvailable(BtreeGinExtension):
    """Create btree_gin where the server has it; elsewhere warn and go on."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = %s", [EXTENSION])
            available = cursor.fetchone() is not None
        if not available:
            warnings.warn(
                "PostgreSQL has no btree_gin extension: search indexes leave out their plain columns.",
                stacklevel=1,
            )
            return
        super().database_forwards(app_label, schema_editor, from_state, to_state)


class AddGinIndexWithPlainColumns(migrations.AddIndex):
    """AddIndex of a GIN index with plain columns, which keeps only `native_fields` without btree_gin."""

    def __init__(self, model_name, index, native_fields):
        super().__init__(model_name, index)
        self.native_fields = list(native_fields)

    def deconstruct(self):
        name, args, kwargs = super().deconstruct()
        return name, args, {**kwargs, "native_fields": self.native_fields}

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        index = self.index
        if not has_btree_gin(schema_editor):
            index = copy.copy(self.index)
            index.fields = list(self.native_fields)
            index.fields_orders = [(field, "") for field in self.native_fields]
        schema_editor.add_index(model, index)
