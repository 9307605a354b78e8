"""Search reads from the database the router picks for search documents (a replica, say)."""

import pytest
from django.db import router
from django.utils.connection import ConnectionDoesNotExist

from search.models import SearchDocument
from search.query import parse_query
from search.results import search_posts

pytestmark = pytest.mark.django_db


class RecordingRouter:
    """Sends reads to the default database, remembering which models were asked about."""

    def __init__(self):
        self.read_models = []

    def db_for_read(self, model, **hints):
        self.read_models.append(model)
        return "default"


def test_search_statements_run_where_the_router_sends_reads_of_documents(corpus, monkeypatch):
    recording = RecordingRouter()
    monkeypatch.setattr(router, "routers", [recording])
    found = search_posts(parse_query("倒排索引"))
    assert found.hits
    assert SearchDocument in recording.read_models


def test_a_router_naming_an_unknown_database_fails_rather_than_reading_the_default(corpus, monkeypatch):
    class ElsewhereRouter:
        def db_for_read(self, model, **hints):
            return "replica" if model is SearchDocument else None

    monkeypatch.setattr(router, "routers", [ElsewhereRouter()])
    with pytest.raises(ConnectionDoesNotExist):
        search_posts(parse_query("倒排索引"))
