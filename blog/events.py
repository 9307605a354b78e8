"""Signals the blog sends besides Django's own model signals."""

from django.dispatch import Signal

# Sent by Post.objects.create_rendered() inside its transaction, with `post_ids`: posts that
# were inserted in bulk, so no post_save or m2m_changed was sent for them. Receivers that keep
# something per post (the search index, the page cache) refresh it once for the whole batch.
posts_created = Signal()
