"""Take over PreviewKey and ReviewRequest from accounts, rows, permissions and all.

The tables keep their accounts_ names (the models say so in db_table), so no row is copied: the
schema is only claimed, in Django's state. The two content types are relabelled from accounts
to authoring, so the permissions hanging off them (and any group or user holding those) follow.
The Author and Editor groups hold permissions on blog's models only, which this leaves alone.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import authoring.models

MOVED_MODELS = ["previewkey", "reviewrequest"]


def relabel_content_types(apps, from_label, to_label):
    """Point the moved models' content types at `to_label`, merging any made there already.

    A content type exists under the new label only if something (a post_migrate pass of a
    partial migrate) created it early; its permissions then move to the old type's, which
    keeps the ids that groups and users hold, and the early copy goes.
    """
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    for model in MOVED_MODELS:
        old = ContentType.objects.filter(app_label=from_label, model=model).first()
        if old is None:
            continue
        early = ContentType.objects.filter(app_label=to_label, model=model).first()
        if early is not None:
            held = set(Permission.objects.filter(content_type=old).values_list("codename", flat=True))
            Permission.objects.filter(content_type=early).exclude(codename__in=held).update(content_type=old)
            early.delete()
        old.app_label = to_label
        old.save(update_fields=["app_label"])


def move_to_authoring(apps, schema_editor):
    relabel_content_types(apps, "accounts", "authoring")


def move_back_to_accounts(apps, schema_editor):
    relabel_content_types(apps, "authoring", "accounts")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0003_authoring_models_move_out"),
        ("blog", "0003_feed_sources"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="PreviewKey",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("nonce", models.CharField(default=authoring.models.new_nonce, max_length=64)),
                        ("created_at", models.DateTimeField(auto_now=True)),
                        (
                            "created_by",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "post",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="preview_key",
                                to="blog.post",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "preview key",
                        "verbose_name_plural": "preview keys",
                        "db_table": "accounts_previewkey",
                    },
                ),
                migrations.CreateModel(
                    name="ReviewRequest",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("requested_at", models.DateTimeField(auto_now=True, verbose_name="submitted")),
                        (
                            "post",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="review_request",
                                to="blog.post",
                            ),
                        ),
                        (
                            "requested_by",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "review request",
                        "verbose_name_plural": "review requests",
                        "db_table": "accounts_reviewrequest",
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_to_authoring, move_back_to_accounts),
    ]
