"""A database migrated while review requests and preview keys were accounts' keeps them, and every
permission, once authoring takes them over (accounts/0003, authoring/0001)."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from authoring.models import PreviewKey, ReviewRequest
from authoring.preview_links import post_id_for_preview, preview_path
from blog.models import Post
from tests.factories import make_post, make_user

BEFORE_THE_MOVE = [("accounts", "0002_author_and_editor_roles"), ("authoring", None)]


def migrate(targets):
    """Run the real migrations to `targets` and return the apps of that state."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    ContentType.objects.clear_cache()
    return (
        MigrationExecutor(connection).loader.project_state([target for target in targets if target[1]]).apps
    )


def latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_rows_and_permissions_survive_the_move_from_accounts_to_authoring(roles):
    author = make_user("author")
    draft = make_post("待审的草稿", author=author, status=Post.Status.DRAFT)
    try:
        old_apps = migrate(BEFORE_THE_MOVE)
        OldReviewRequest = old_apps.get_model("accounts", "ReviewRequest")
        OldPreviewKey = old_apps.get_model("accounts", "PreviewKey")
        OldReviewRequest.objects.create(post_id=draft.pk, requested_by_id=author.pk)
        OldPreviewKey.objects.create(post_id=draft.pk, nonce="the-nonce-handed-out", created_by_id=author.pk)
        # A group given a permission on a moved model, as an admin could have done before.
        review_type = ContentType.objects.get(app_label="accounts", model="reviewrequest")
        reviewers = Group.objects.create(name="Reviewers")
        reviewers.permissions.add(
            Permission.objects.get(content_type=review_type, codename="view_reviewrequest")
        )
        editor_permissions = set(Group.objects.get(name="Editor").permissions.values_list("pk", flat=True))
        author_permissions = set(Group.objects.get(name="Author").permissions.values_list("pk", flat=True))
        assert editor_permissions and author_permissions
    finally:
        migrate(latest())

    request = ReviewRequest.objects.get()
    assert (request.post_id, request.requested_by_id) == (draft.pk, author.pk)
    assert PreviewKey.objects.get().nonce == "the-nonce-handed-out"
    assert (
        ContentType.objects.filter(app_label="accounts", model__in=["reviewrequest", "previewkey"]).count()
        == 0
    )
    assert ContentType.objects.get_for_model(ReviewRequest) == review_type
    assert list(
        Group.objects.get(name="Reviewers").permissions.values_list("content_type__app_label", "codename")
    ) == [("authoring", "view_reviewrequest")]
    assert (
        set(Group.objects.get(name="Editor").permissions.values_list("pk", flat=True)) == editor_permissions
    )
    assert (
        set(Group.objects.get(name="Author").permissions.values_list("pk", flat=True)) == author_permissions
    )
    # A preview link made after the move works, and the key kept its nonce until revoked.
    link_token = preview_path(draft).rstrip("/").rsplit("/", 1)[-1]
    assert post_id_for_preview(link_token) == draft.pk
