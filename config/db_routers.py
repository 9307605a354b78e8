"""Reads of public pages go to the read replica; writes, and every read after one, to the primary.

With DATABASE_REPLICA_URL set, settings add a `replica` alias. The router sends a read there
only while the current request is a public read: a GET or HEAD of the timeline, a post, tag,
series, author, archive, search or feed page (the `blog` and `search` URL namespaces, and the
sitemaps), made by a client that has not just written. Everything else reads the primary:
the admin, readers' own pages, Celery tasks and commands (they run right after a commit and
must see it), and any read inside a transaction on the primary.

"Just written" has two scopes. Within a request, the first write (any `db_for_write`: a save,
a session, `select_for_update`) pins the rest of the request to the primary. Across requests,
a POST (or PUT, PATCH, DELETE) that wrote sets a short-lived cookie, so the page its redirect
leads to, and the next few, read the primary until the replica has surely caught up
(REPLICA_PIN_SECONDS). The cookie carries no secret: a client that forges it only reads the
primary. Search's raw SQL asks `router.db_for_read(SearchDocument)` and so follows the same rule.

A public read goes to the replica only once it has replayed the primary's WAL up to the last
content change (blog.page_cache keeps that position with every version bump): a lagging
replica would otherwise show a post unpublished a moment ago, and the page cache would keep
that page under the new version.
"""

import contextvars

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

from blog.page_cache import content_change_position

REPLICA = "replica"
PIN_COOKIE = "inkstone_primary"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# The public reads: every view of these URL namespaces, and these top-level URL names.
PUBLIC_NAMESPACES = frozenset({"blog", "search"})
PUBLIC_URL_NAMES = frozenset({"sitemap_index", "sitemap_section", "robots_txt"})

# "primary" (the default: outside a request, or a request that may not use the replica),
# "replica if caught up" (a public read that has not read yet), "replica" (a public read, the
# replica fresh enough), or "wrote" (this request wrote: the primary from now on).
_reads = contextvars.ContextVar("inkstone_reads", default="primary")


def replica_configured():
    """True when a `replica` database alias exists (DATABASE_REPLICA_URL, or a test's mirror)."""
    return REPLICA in connections.settings


def pin_to_primary():
    """Send the rest of this request's reads to the primary (it has written, or is about to)."""
    _reads.set("wrote")


def is_public_read(request):
    """True for a GET/HEAD of a public page by a client without the recent-write cookie."""
    match = request.resolver_match
    return (
        request.method in SAFE_METHODS
        and PIN_COOKIE not in request.COOKIES
        and match is not None
        and (match.namespace in PUBLIC_NAMESPACES or match.url_name in PUBLIC_URL_NAMES)
    )


class PrimaryReplicaRouter:
    """Route reads to `replica` during a public read, everything else to `default`."""

    def db_for_read(self, model, **hints):
        if _reads.get() == "replica if caught up":
            _reads.set("replica" if replica_has_replayed_last_change() else "primary")
        if (
            _reads.get() == "replica"
            and replica_configured()
            and not connections[DEFAULT_DB_ALIAS].in_atomic_block
        ):
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        pin_to_primary()
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # Both aliases hold the same rows: an object read from one may point at one from the other.
        return {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA, None}

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The replica follows the primary through streaming replication; nothing migrates it.
        return db == DEFAULT_DB_ALIAS


class ReplicaReadsMiddleware:
    """Mark each request as a public read or not, and remember a client's recent write.

    Placed before the session middleware, so a session saved at the end of a request counts
    as that request's write.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _reads.set("primary")
        try:
            response = self.get_response(request)
            if request.method not in SAFE_METHODS and _reads.get() == "wrote" and replica_configured():
                response.set_cookie(
                    PIN_COOKIE,
                    "1",
                    max_age=settings.REPLICA_PIN_SECONDS,
                    secure=settings.SESSION_COOKIE_SECURE,
                    httponly=True,
                    samesite="Lax",
                )
            return response
        finally:
            _reads.reset(token)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if _reads.get() == "primary" and is_public_read(request):
            # Whether the replica is fresh enough is asked at the first read, so a page the
            # page cache answers costs the replica nothing.
            _reads.set("replica if caught up")


def replica_has_replayed_last_change():
    """True when the replica has replayed the primary's WAL up to the last content change.

    Otherwise a page rendered from a lagging replica could show a post unpublished a moment
    ago, and the page cache would keep it under the new content version: such a read goes to
    the primary. A replica that is down or not a standby (a test's mirror) answers for itself:
    an error reads the primary; a server not in recovery has its own position.
    """
    if not replica_configured():
        return False
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(
                "SELECT COALESCE(pg_last_wal_replay_lsn(), pg_current_wal_lsn()) >= %s::pg_lsn",
                [content_change_position()],
            )
            return bool(cursor.fetchone()[0])
    except DatabaseError:
        return False
