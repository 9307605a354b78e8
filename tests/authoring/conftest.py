"""Writers in their roles, and a client for each."""

import importlib

import pytest
from django.apps import apps

from authoring.roles import AUTHOR, EDITOR, grant_role
from tests.factories import make_user

roles_migration = importlib.import_module("accounts.migrations.0002_author_and_editor_roles")


@pytest.fixture
def roles(db):
    """The Author and Editor groups as the data migration makes them.

    A transactional test (the Celery worker's) flushes every table afterwards, groups included,
    so the migration's function is run again here; it is idempotent.
    """
    roles_migration.create_roles(apps, None)


@pytest.fixture
def author(roles):
    user = make_user("author", email="author@example.com")
    grant_role(user, AUTHOR)
    return user


@pytest.fixture
def other_author(roles):
    user = make_user("other", email="other@example.com")
    grant_role(user, AUTHOR)
    return user


@pytest.fixture
def editor(roles):
    user = make_user("editor", email="editor@example.com")
    grant_role(user, EDITOR)
    return user
