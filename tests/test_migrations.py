"""The squashed migrations build the schema the old chain built, and old databases upgrade cleanly.

Each test migrates scratch databases of its own (named after the test database, created and
dropped here) in a child process, as `manage.py migrate` would, and compares what PostgreSQL
holds: tables and columns in order, indexes, constraints, triggers, functions, extensions,
storage options, the groups and their permissions, and the migrations Django counts as applied.
"""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.db import connection
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent

# Old migrations Django still reads; each old-chain database stops at these (or earlier).
OLD_LEAVES = [("blog", "0008_post_outline_and_plain_excerpt"), ("search", "0010_document_formulas")]

# Migrate blog and search up to `targets` along the replaced migrations, as a database did
# before the squash: the loader is told not to use the squashed ones.
MIGRATE_OLD_CHAIN = """
import sys
import django
django.setup()
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
executor = MigrationExecutor(connection)
executor.loader = MigrationLoader(connection, replace_migrations=False)
targets = [tuple(target.split(":")) for target in sys.argv[1:]]
executor.migrate(targets)
"""

SCHEMA_QUERIES = {
    "columns": """
        SELECT c.relname, row_number() OVER (PARTITION BY c.relname ORDER BY a.attnum), a.attname,
               format_type(a.atttypid, a.atttypmod), a.attnotnull, a.attidentity, a.attgenerated,
               pg_get_expr(d.adbin, d.adrelid)
        FROM pg_attribute a
        JOIN pg_class c ON c.oid = a.attrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
    """,
    "tables": """
        SELECT c.relname, coalesce(c.reloptions, '{}') FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
        WHERE c.relkind = 'r'
    """,
    "indexes": "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'",
    "constraints": """
        SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), condeferrable, condeferred
        FROM pg_constraint WHERE connamespace = 'public'::regnamespace
    """,
    "triggers": """
        SELECT tgrelid::regclass::text, tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal
    """,
    # Functions of our own: those an extension installed are compared as the extension.
    "functions": """
        SELECT p.proname, pg_get_functiondef(p.oid) FROM pg_proc p
        WHERE p.pronamespace = 'public'::regnamespace AND NOT EXISTS (
            SELECT 1 FROM pg_depend WHERE classid = 'pg_proc'::regclass AND objid = p.oid AND deptype = 'e'
        )
    """,
    "extensions": "SELECT extname FROM pg_extension",
    "roles": """
        SELECT g.name, ct.app_label, p.codename FROM auth_group g
        JOIN auth_group_permissions gp ON gp.group_id = g.id
        JOIN auth_permission p ON p.id = gp.permission_id
        JOIN django_content_type ct ON ct.id = p.content_type_id
    """,
}


def server_parameters(database):
    """Connection parameters of the test database's server, for the database `database`."""
    settings = connection.settings_dict
    parameters = {
        "host": settings["HOST"],
        "port": settings["PORT"],
        "user": settings["USER"],
        "password": settings["PASSWORD"],
        "dbname": database,
    }
    return {key: str(value) for key, value in parameters.items() if value}


def database_url(database):
    """A DATABASE_URL for `database` on the test database's server."""
    settings = connection.settings_dict
    credentials = quote(settings["USER"] or "", safe="")
    if settings["PASSWORD"]:
        credentials += ":" + quote(settings["PASSWORD"], safe="")
    host = quote(settings["HOST"] or "", safe="")
    port = f":{settings['PORT']}" if settings["PORT"] else ""
    return f"postgres://{credentials}@{host}{port}/{database}"


@pytest.fixture
def scratch_databases(request):
    """A factory of empty databases named after the test database, all dropped afterwards."""
    created = []

    def create(suffix):
        name = f"{connection.settings_dict['NAME']}_{suffix}"
        with psycopg.connect(**server_parameters("postgres"), autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        created.append(name)
        return name

    yield create
    with psycopg.connect(**server_parameters("postgres"), autocommit=True) as admin:
        for name in created:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def run_django(database, *arguments):
    """Run a Django command line (manage.py or -c code) against `database`; return its output."""
    environment = {**os.environ, "DATABASE_URL": database_url(database), "DEBUG": "true"}
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    environment["DJANGO_SETTINGS_MODULE"] = "config.settings"
    completed = subprocess.run(
        [sys.executable, *arguments], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=600
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return completed.stdout


def migrate(database):
    """`manage.py migrate` with today's migrations; returns the migrations it applied."""
    output = run_django(database, "manage.py", "migrate", "--noinput")
    return {
        line.split()[1].removesuffix("...")
        for line in output.splitlines()
        if line.strip().startswith("Applying ")
    }


def migrate_old_chain(database, targets=OLD_LEAVES):
    """Migrate blog and search to `targets` along the replaced migrations only."""
    run_django(database, "-c", MIGRATE_OLD_CHAIN, *[f"{app}:{name}" for app, name in targets])


def schema(database):
    """What PostgreSQL holds of the schema of `database`, and what Django counts as applied."""
    with psycopg.connect(**server_parameters(database)) as reader:
        found = {name: sorted(reader.execute(query).fetchall()) for name, query in SCHEMA_QUERIES.items()}
    found["applied"] = sorted(applied_migrations(database))
    return found


def applied_migrations(database):
    """The blog and search migrations Django's loader counts as applied in `database`."""
    code = (
        "import django; django.setup()\n"
        "from django.db import connection\n"
        "from django.db.migrations.loader import MigrationLoader\n"
        "loader = MigrationLoader(connection)\n"
        "for app, name in sorted(loader.applied_migrations):\n"
        "    print(app, name) if app in ('blog', 'search') else None\n"
    )
    return [tuple(line.split()) for line in run_django(database, "-c", code).splitlines()]


def assert_same_schema(expected, found):
    """Assert two schema() results are equal, naming the parts that differ."""
    differing = [part for part in expected if expected[part] != found[part]]
    details = {
        part: {
            "only in fresh": sorted(set(expected[part]) - set(found[part])),
            "only in upgraded": sorted(set(found[part]) - set(expected[part])),
        }
        for part in differing
    }
    assert not differing, details


@pytest.mark.django_db
def test_a_database_migrated_by_the_old_chain_upgrades_to_the_fresh_schema(scratch_databases):
    fresh, old = scratch_databases("fresh"), scratch_databases("old_chain")
    applied_fresh = migrate(fresh)
    assert "blog.0001_squashed_0008_post_outline_and_plain_excerpt" in applied_fresh
    assert "search.0001_squashed_0010_document_formulas" in applied_fresh
    assert not any(name.startswith("search.0002_") for name in applied_fresh), (
        "the fresh run used the old chain"
    )

    migrate_old_chain(old)
    with psycopg.connect(**server_parameters(old)) as reader:
        assert reader.execute(
            "SELECT 1 FROM pg_indexes WHERE indexname = 'search_document_search'"
        ).fetchone()
    applied_on_upgrade = migrate(old)

    # Django counts both squashes as applied: the only blog or search migrations it runs are
    # those that come after them.
    ours = {name for name in applied_on_upgrade if name.startswith(("blog.", "search."))}
    assert ours == {
        "search.0011_visibility_triggers",
        "search.0012_search_index_without_btree_gin",
        "search.0013_vocabulary",
        "search.0014_document_language",
    }
    fresh_schema = schema(fresh)
    assert "search_document_visibility" in {name for name, _definition in fresh_schema["functions"]}
    assert ("Editor", "blog", "publish_post") in fresh_schema["roles"]
    assert_same_schema(fresh_schema, schema(old))
    assert migrate(old) == set()


@pytest.mark.django_db
def test_a_database_halfway_through_the_old_chain_finishes_it_and_matches(scratch_databases):
    fresh, halfway = scratch_databases("fresh"), scratch_databases("halfway")
    migrate(fresh)
    # Before the publication months and the visibility triggers: Django cannot use either
    # squash here, and finishes the old chain instead.
    migrate_old_chain(halfway, [("blog", "0004_post_not_live"), ("search", "0005_heading_in_search_index")])
    applied = migrate(halfway)
    assert "search.0006_publication_months" in applied
    assert "search.0008_document_visibility" in applied
    assert_same_schema(schema(fresh), schema(halfway))


# Posts written by today's code, their documents as search 0013 stored them (no language).
WRITE_POSTS_BEFORE_LANGUAGES = """
import django
django.setup()
from django.contrib.auth import get_user_model
from django.db import connection
from blog.models import Post
author = get_user_model().objects.create(username="writer")
for number, language in enumerate(["en", "zh", "en"]):
    post = Post.objects.create(title=f"Post {number}", body="Text.", author=author, language=language)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO search_searchdocument (post_id, vector, text, formulas, tag_ids, indexed_at)"
            " VALUES (%s, to_tsvector('simple', 'text'), 'text', '[]', '{}', now())",
            [post.pk],
        )
"""


@pytest.mark.django_db
def test_documents_written_before_they_kept_a_language_get_their_post_s(scratch_databases):
    """?language= reads the document's copy: the migration that adds it fills it for every post."""
    database = scratch_databases("languages")
    migrate(database)
    run_django(database, "manage.py", "migrate", "search", "0013", "--noinput")  # back a step
    run_django(database, "-c", WRITE_POSTS_BEFORE_LANGUAGES)
    assert migrate(database) == {"search.0014_document_language"}
    with psycopg.connect(**server_parameters(database)) as reader:
        languages = reader.execute(
            "SELECT p.title, d.language FROM search_searchdocument d JOIN blog_post p ON p.id = d.post_id"
            " ORDER BY p.title"
        ).fetchall()
    assert languages == [("Post 0", "en"), ("Post 1", "zh"), ("Post 2", "en")]
