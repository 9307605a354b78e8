"""With a read replica configured, public pages read from it; writes, the reads after them in
the same request, the next requests of a client that just wrote, tasks and the admin read the
primary. The replica here is a second real connection, a test mirror of the default database."""

from collections import Counter
from contextlib import ExitStack

import pytest
from django.db import connections, router
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import resolve, reverse

from blog.models import Post
from blog.page_cache import change_position_key, content_change_position, state_redis
from config.db_routers import PIN_COOKIE, REPLICA, ReplicaReadsMiddleware
from tests.factories import make_post, make_series, make_user
from tests.loopback_redis import free_port


@pytest.fixture(scope="module")
def django_db_setup(django_db_setup):
    """The test database, plus a `replica` alias: a second connection to it, marked as a test
    mirror of default, as DATABASE_REPLICA_URL makes in production. It must exist before each
    test's database access is set up, so that the marker below may allow it; it is gone again
    when this module's tests end."""
    connections.settings[REPLICA] = {
        **connections.settings["default"],
        "TEST": {**connections.settings["default"]["TEST"], "MIRROR": "default"},
    }
    yield
    connections[REPLICA].close()
    del connections[REPLICA]
    del connections.settings[REPLICA]


# Committed rows (transaction=True) are visible to both connections, as on a caught-up replica.
pytestmark = pytest.mark.django_db(transaction=True, databases=["default", REPLICA])


@pytest.fixture(autouse=True)
def uncached_feeds(settings):
    settings.FEED_CACHE_SECONDS = 0


class QueriesByAlias:
    """Record (alias, first word of the SQL) of every statement on default and replica."""

    def __init__(self):
        self.statements = []

    def __enter__(self):
        self.stack = ExitStack()
        for alias in ("default", REPLICA):
            self.stack.enter_context(connections[alias].execute_wrapper(self._recorder(alias)))
        return self

    def __exit__(self, *exc):
        self.stack.close()

    def _recorder(self, alias):
        def record(execute, sql, params, many, context):
            if "FROM pg_type" not in sql:  # psycopg's type look-ups when a connection opens
                self.statements.append((alias, sql.split(None, 1)[0].upper()))
            return execute(sql, params, many, context)

        return record

    def aliases(self):
        return Counter(alias for alias, _verb in self.statements)


@pytest.fixture
def published():
    author = make_user("writer")
    series = make_series("系列")
    post = make_post("公开文章", author=author, tags=["python"], series=series, body="注意力机制 attention")
    return post


PUBLIC_URLS = {
    "timeline": lambda post: reverse("blog:timeline"),
    "post": lambda post: post.get_absolute_url(),
    "tag": lambda post: reverse("blog:tag", args=["python"]),
    "series": lambda post: reverse("blog:series", args=[post.series.slug]),
    "author": lambda post: reverse("blog:author", args=[post.author.username]),
    "archive": lambda post: reverse("blog:archive"),
    "archive year": lambda post: reverse("blog:archive_year", args=[post.published_at.year]),
    "latest feed": lambda post: reverse("blog:latest_feed_atom"),
    "tag feed": lambda post: reverse("blog:tag_feed_rss", args=["python"]),
    "sitemap": lambda post: reverse("sitemap_index"),
}


@pytest.mark.parametrize("page", PUBLIC_URLS)
def test_each_public_page_reads_only_the_replica(page, published, client):
    with QueriesByAlias() as queries:
        response = client.get(PUBLIC_URLS[page](published))
    assert response.status_code == 200
    assert queries.aliases()[REPLICA] > 0
    assert queries.aliases()["default"] == 0, queries.statements


def test_during_a_search_the_router_sends_search_documents_to_the_replica(published, client, monkeypatch):
    """What search's raw SQL gets when it asks router.db_for_read(SearchDocument) mid-request."""
    import search.views
    from search.models import SearchDocument

    asked = []
    real_search_posts = search.views.search_posts

    def search_posts(*args, **kwargs):
        asked.append(router.db_for_read(SearchDocument))
        return real_search_posts(*args, **kwargs)

    monkeypatch.setattr(search.views, "search_posts", search_posts)
    response = client.get(reverse("search:search"), {"q": "注意力"})
    assert response.status_code == 200
    assert asked == [REPLICA]


def test_a_search_page_reads_only_the_replica(published, client):
    with QueriesByAlias() as queries:
        assert client.get(reverse("search:search"), {"q": "注意力"}).status_code == 200
    assert queries.aliases()["default"] == 0, queries.statements


def test_a_read_after_a_write_in_the_same_request_goes_to_the_primary(published):
    request = RequestFactory().get("/")
    request.resolver_match = resolve("/")

    def view(request):
        before = Post.objects.get(pk=published.pk).title
        Post.objects.filter(pk=published.pk).update(title="改过的标题")
        after = Post.objects.get(pk=published.pk).title
        return HttpResponse(f"{before}|{after}")

    middleware = ReplicaReadsMiddleware(
        lambda request: middleware.process_view(request, view, (), {}) or view(request)
    )
    with QueriesByAlias() as queries:
        response = middleware(request)
    assert response.content.decode() == "公开文章|改过的标题"
    # The replica is first asked how far it has replayed, then read; after the write, the primary.
    assert queries.statements == [
        (REPLICA, "SELECT"), (REPLICA, "SELECT"), ("default", "UPDATE"), ("default", "SELECT")
    ]  # fmt: skip


def test_after_a_post_that_wrote_the_clients_next_pages_read_the_primary(published, client):
    make_user("reader", email="reader@example.com")
    response = client.post(
        reverse("accounts:login"), {"username": "reader@example.com", "password": "pw-for-tests-1"}
    )
    assert response.status_code == 302
    assert response.cookies[PIN_COOKIE]["max-age"] > 0
    with QueriesByAlias() as queries:
        assert client.get(reverse("blog:timeline")).status_code == 200
    assert queries.aliases()[REPLICA] == 0
    assert queries.aliases()["default"] > 0

    del client.cookies[PIN_COOKIE]  # the pin has expired
    with QueriesByAlias() as queries:
        assert client.get(reverse("blog:timeline")).status_code == 200
    assert queries.aliases()[REPLICA] > 0


def test_the_admin_and_tasks_read_the_primary(published, client):
    client.force_login(make_user("boss", is_staff=True, is_superuser=True))
    with QueriesByAlias() as queries:
        assert client.get(reverse("admin:blog_post_changelist")).status_code == 200
    assert queries.aliases()[REPLICA] == 0
    assert router.db_for_read(Post) == "default"  # outside any request: a task, a command


def test_a_replica_that_is_down_makes_health_503(client, monkeypatch):
    monkeypatch.setitem(connections.settings[REPLICA], "HOST", "127.0.0.1")
    monkeypatch.setitem(connections.settings[REPLICA], "PORT", str(free_port()))
    response = client.get("/health/")
    assert response.status_code == 503
    assert "replica: unavailable" in response.content.decode()
    assert "database: ok" in response.content.decode()


def test_a_content_change_keeps_the_primarys_wal_position_for_the_replica_check(published):
    before = content_change_position()
    make_post("又一篇", body="改动之后")  # its commit bumps the content version
    after = content_change_position()
    with connections["default"].cursor() as cursor:
        cursor.execute(
            "SELECT %s::pg_lsn > %s::pg_lsn, %s::pg_lsn <= pg_current_wal_lsn()", [after, before, after]
        )
        moved_on, not_ahead_of_the_primary = cursor.fetchone()
    assert moved_on and not_ahead_of_the_primary


def test_a_replica_behind_the_last_change_is_not_read(published, client):
    # As if the primary had committed a change (an unpublished post) the replica has not replayed.
    state_redis().set(change_position_key(), "FFFFFFFF/FFFFFFFF")
    with QueriesByAlias() as queries:
        response = client.get(PUBLIC_URLS["post"](published))
    assert response.status_code == 200
    assert queries.aliases()[REPLICA] == 1  # only the question of how far it has replayed
    assert queries.aliases()["default"] > 0, queries.statements
