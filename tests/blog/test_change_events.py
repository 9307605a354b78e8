"""Every write of posts announces `posts_changed` once committed, and what is derived follows it."""

import ast
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import transaction
from django.utils import timezone

from blog.events import CONTENT, DELETED, EXCERPT, LABELS, VISIBILITY, posts_changed
from blog.excerpts import EXCERPT_FIELDS, store_excerpts
from blog.models import Post
from blog.tasks import fill_missing_excerpts
from search.models import SearchDocument
from search.tasks import sync_search_index
from tests.factories import make_post, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def announced():
    """The (post ids, what) of every posts_changed sent while the test runs."""
    seen = []

    def receive(sender, post_ids, what, **kwargs):
        seen.append((post_ids, what))

    posts_changed.connect(receive, dispatch_uid="test-announced")
    yield seen
    posts_changed.disconnect(dispatch_uid="test-announced")


def test_a_save_is_announced_only_once_committed(announced, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        post = make_post("保存", body="正文。")
        assert announced == []  # nothing before the commit
    assert ([post.pk], frozenset({CONTENT})) in announced


def test_a_rolled_back_save_announces_nothing(announced, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        make_post("回滚", body="正文。")
        raise RuntimeError
    assert announced == []


def test_publishing_unpublishing_and_due_posts_are_announced(announced, django_capture_on_commit_callbacks):
    drafts = [make_post(f"草稿 {i}", status=Post.Status.DRAFT) for i in range(2)]
    due = make_post("到期", status=Post.Status.SCHEDULED, published_at=timezone.now() + timedelta(hours=1))
    Post.objects.filter(pk=due.pk).update(published_at=timezone.now() - timedelta(minutes=1))
    ids = sorted(post.pk for post in drafts)
    for change in (
        lambda: Post.objects.filter(pk__in=ids).publish(),
        lambda: Post.objects.filter(pk__in=ids).unpublish(),
        lambda: Post.objects.publish_due(),
    ):
        announced.clear()
        with django_capture_on_commit_callbacks(execute=True):
            assert change() >= 1
        assert announced and all(what == {VISIBILITY} for _, what in announced)
    assert announced == [([due.pk], frozenset({VISIBILITY}))]


def test_the_batch_insert_is_one_announcement(announced, django_capture_on_commit_callbacks):
    author = make_user("batch")
    posts = [
        Post(title=f"批量 {i}", body="正文。", author=author, status=Post.Status.PUBLISHED) for i in range(3)
    ]
    with django_capture_on_commit_callbacks(execute=True):
        created = Post.objects.create_rendered(posts, [["标签"]] * 3)
    content = [ids for ids, what in announced if what == {CONTENT}]
    assert content == [sorted(post.pk for post in created)]


def test_tagging_deleting_and_excerpt_writes_are_announced(announced, django_capture_on_commit_callbacks):
    post = make_post("标签", body="正文。")
    with django_capture_on_commit_callbacks(execute=True):
        post.tags.add("新标签")
    assert ([post.pk], frozenset({LABELS})) in announced
    announced.clear()
    with django_capture_on_commit_callbacks(execute=True):
        store_excerpts(Post.objects.filter(pk=post.pk).only(*EXCERPT_FIELDS))
    assert announced == [([post.pk], frozenset({EXCERPT}))]
    announced.clear()
    post_id = post.pk
    with django_capture_on_commit_callbacks(execute=True):
        post.delete()
    assert ([post_id], frozenset({DELETED})) in announced


def wait_for(predicate, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


def test_after_every_kind_of_write_the_catch_up_jobs_find_nothing_to_do(celery_worker):
    author = make_user("writer")
    saved = make_post("保存的文章", body="保存后应被索引。", author=author)
    draft = make_post(
        "后来发布的草稿", body="批量发布后也应被索引。", author=author, status=Post.Status.DRAFT
    )
    unpublished = make_post("后来撤下的文章", body="撤下后不应再有文档。", author=author)
    only_code = make_post("只有代码", body="```python\nimport torch\n```", author=author)
    scheduled = make_post(
        "定时文章", body="到期发布。", author=author, status=Post.Status.SCHEDULED,
        published_at=timezone.now() + timedelta(hours=1),
    )  # fmt: skip
    batch = Post.objects.create_rendered(
        [Post(title="批量插入", body="摄取的条目。", author=author, status=Post.Status.PUBLISHED)], [["转载"]]
    )
    Post.objects.filter(pk=draft.pk).publish()
    Post.objects.filter(pk=unpublished.pk).unpublish()
    Post.objects.filter(pk=scheduled.pk).update(published_at=timezone.now() - timedelta(minutes=1))
    Post.objects.publish_due()
    saved.tags.add("新标签")
    live_ids = {saved.pk, draft.pk, scheduled.pk, batch[0].pk, only_code.pk}

    def caught_up():
        documents = set(SearchDocument.objects.values_list("post_id", flat=True))
        excerpted = set(Post.objects.exclude(excerpt="").values_list("pk", flat=True))
        vector = SearchDocument.objects.filter(post=saved).values_list("vector", flat=True).first()
        tagged = "'标签':" in (vector or "")  # the tag added last is in the document
        return documents == live_ids and excerpted >= live_ids | {unpublished.pk} and tagged

    assert wait_for(caught_up), "the worker never brought excerpts and documents up to date"
    assert sync_search_index() == {"indexed": 0, "removed": 0}
    assert fill_missing_excerpts() == 0
    # What the net would select again on every run: a post with no plain-text description.
    assert not Post.objects.filter(excerpt_text="").exists()


def _imports(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            module = node.module or ""
            names.add(("." * node.level) + module)
            names.update(
                ("." * node.level) + (f"{module}." if module else "") + alias.name for alias in node.names
            )
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_models_import_no_tasks_and_blog_has_no_import_circle():
    blog = Path(__file__).resolve().parents[2] / "blog"
    modules = {path.stem: path for path in blog.glob("*.py")}
    graph = {}
    for name, path in modules.items():
        imported = {
            item.removeprefix(".").removeprefix("blog.").split(".")[0]
            for item in _imports(path)
            if (item.startswith(".") and not item.startswith("..")) or item.startswith("blog.")
        }
        graph[name] = {other for other in imported if other in modules and other != name}
    assert "tasks" not in graph["models"] and "signals" not in graph["models"]

    def reaches(start, target, seen=()):
        return any(
            nxt == target or (nxt not in seen and reaches(nxt, target, {*seen, nxt})) for nxt in graph[start]
        )

    circles = sorted(name for name in graph if reaches(name, name))
    assert circles == []
