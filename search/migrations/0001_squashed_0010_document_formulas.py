"""Search's tables, function and indexes as migrations 0001–0010 left them, in one step.

Squashed by hand from a fresh `makemigrations` of the models, with the columns in the order
the old chain gave them, so that a fresh database and one migrated through 0001–0010 (then
0011 and 0012) are the same schema (tests/test_migrations.py compares them). The triggers
that keep a document's publication time are in 0011_visibility_triggers.

The indexes are the one shape every server can build (see search.models): GIN over tsvectors
and arrays only, no btree_gin. A database migrated through the old chain on a server with
btree_gin has the series in its main index instead; 0012 rebuilds that one.

A database that has applied every migration listed in `replaces` counts this one as applied.
The replaced files stay until every database has moved past them (Django falls back to them
for a database that applied only some); then they, `replaces` and 0012 can go.
"""

import django.contrib.postgres.fields
import django.contrib.postgres.indexes
import django.contrib.postgres.search
import django.db.models.deletion
import django.db.models.functions.math
import django.db.models.lookups
from django.db import migrations, models

# A lexeme's width in positions, as search.tokenize counts them: one per Han character for
# Chinese words, one for any other word. Han characters as in search.tokenize.HAN, frozen here.
HAN_LEXEME = "^[\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]"

# The generated column `pairs` calls this, so it exists before the table does.
CREATE_PAIRS_FUNCTION = f"""
CREATE FUNCTION search_adjacent_pairs(vector tsvector) RETURNS tsvector
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    -- Every "first second" where second starts at the position right after first ends.
    SELECT coalesce(array_to_tsvector(array_agg(DISTINCT first.lexeme || ' ' || second.lexeme)), '')
    FROM (SELECT lexeme, unnest(positions) AS position FROM unnest(vector)) AS first
    JOIN (SELECT lexeme, unnest(positions) AS position FROM unnest(vector)) AS second
      ON second.position = first.position
         + CASE WHEN first.lexeme ~ '{HAN_LEXEME}' THEN char_length(first.lexeme) ELSE 1 END
$$
"""  # noqa: S608 - built from a constant of this file


class Migration(migrations.Migration):
    initial = True

    replaces = [
        ("search", "0001_initial"),
        ("search", "0002_sample_and_filter_indexes"),
        ("search", "0003_adjacent_pairs"),
        ("search", "0004_publication_day"),
        ("search", "0005_heading_in_search_index"),
        ("search", "0006_publication_months"),
        ("search", "0007_sparse_sample"),
        ("search", "0008_document_visibility"),
        ("search", "0009_samples_narrow_by_year_and_tag"),
        ("search", "0010_document_formulas"),
    ]

    dependencies = [
        ("blog", "0001_squashed_0008_post_outline_and_plain_excerpt"),
    ]

    operations = [
        migrations.RunSQL(CREATE_PAIRS_FUNCTION, "DROP FUNCTION search_adjacent_pairs(tsvector)"),
        migrations.CreateModel(
            name="DictionaryWord",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "word",
                    models.CharField(
                        help_text="A Chinese term to keep whole in search, e.g. 扩散模型. Latin words need no entry.",
                        max_length=50,
                        unique=True,
                        verbose_name="word",
                    ),
                ),
                (
                    "frequency",
                    models.PositiveIntegerField(
                        blank=True,
                        help_text="Optional. Higher values win over other ways of cutting the text; empty is usually right.",
                        null=True,
                        verbose_name="frequency",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
            ],
            options={
                "verbose_name": "dictionary word",
                "verbose_name_plural": "dictionary words",
                "ordering": ["word"],
            },
        ),
        migrations.CreateModel(
            name="SearchDocument",
            fields=[
                (
                    "post",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="search_document",
                        serialize=False,
                        to="blog.post",
                        verbose_name="post",
                    ),
                ),
                ("vector", django.contrib.postgres.search.SearchVectorField(verbose_name="search vector")),
                (
                    "head",
                    models.GeneratedField(
                        db_persist=True,
                        expression=models.Func(
                            models.F("vector"),
                            models.Value("{a,b}"),
                            function="ts_filter",
                            output_field=django.contrib.postgres.search.SearchVectorField(),
                        ),
                        output_field=django.contrib.postgres.search.SearchVectorField(),
                        verbose_name="title and tags vector",
                    ),
                ),
                ("text", models.TextField(blank=True, verbose_name="text")),
                ("published_at", models.DateTimeField(null=True, verbose_name="publication time")),
                (
                    "tag_ids",
                    django.contrib.postgres.fields.ArrayField(
                        base_field=models.BigIntegerField(),
                        blank=True,
                        default=list,
                        size=None,
                        verbose_name="tag ids",
                    ),
                ),
                ("indexed_at", models.DateTimeField(auto_now=True, verbose_name="indexed")),
                (
                    "series",
                    models.ForeignKey(
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="blog.series",
                        verbose_name="series",
                    ),
                ),
                (
                    "pairs",
                    models.GeneratedField(
                        db_persist=True,
                        expression=models.Func(
                            models.F("vector"),
                            function="search_adjacent_pairs",
                            output_field=django.contrib.postgres.search.SearchVectorField(),
                        ),
                        output_field=django.contrib.postgres.search.SearchVectorField(),
                        verbose_name="adjacent lexeme pairs",
                    ),
                ),
                (
                    "published_months",
                    models.GeneratedField(
                        db_persist=True,
                        expression=models.Func(
                            models.Func(
                                models.Value("month"),
                                models.Func(
                                    models.Value("UTC"),
                                    models.F("published_at"),
                                    function="timezone",
                                    output_field=models.DateTimeField(),
                                ),
                                function="date_trunc",
                            ),
                            output_field=django.contrib.postgres.fields.ArrayField(
                                base_field=models.DateField(), size=None
                            ),
                            template="ARRAY[(%(expressions)s)::date]",
                        ),
                        output_field=django.contrib.postgres.fields.ArrayField(
                            base_field=models.DateField(), size=None
                        ),
                        verbose_name="publication month (UTC)",
                    ),
                ),
                ("formulas", models.JSONField(blank=True, default=list, verbose_name="formulas")),
            ],
            options={
                "verbose_name": "search document",
                "verbose_name_plural": "search documents",
                "indexes": [
                    django.contrib.postgres.indexes.GinIndex(
                        fields=["vector", "pairs", "head", "published_months", "tag_ids"],
                        name="search_document_search",
                    ),
                    django.contrib.postgres.indexes.GinIndex(
                        condition=models.Q(
                            django.db.models.lookups.Exact(
                                django.db.models.functions.math.Mod("post_id", 8), 0
                            )
                        ),
                        fields=["vector", "pairs", "published_months", "tag_ids"],
                        name="search_document_sampled",
                    ),
                    django.contrib.postgres.indexes.GinIndex(
                        condition=models.Q(
                            django.db.models.lookups.Exact(
                                django.db.models.functions.math.Mod("post_id", 32), 0
                            )
                        ),
                        fields=["vector", "pairs", "published_months", "tag_ids"],
                        name="search_document_sparse_sample",
                    ),
                ],
            },
        ),
        # Keep the heap narrow: the vector and text (kilobytes each) move out of line, so the
        # bitmap scans that count thousands of matches read a few MB, not the whole table.
        migrations.RunSQL(
            "ALTER TABLE search_searchdocument SET (toast_tuple_target = 512)",
            reverse_sql="ALTER TABLE search_searchdocument RESET (toast_tuple_target)",
        ),
    ]
