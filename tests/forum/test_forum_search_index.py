"""The forum search's GIN index: made on PostgreSQL by a migration, and used by the search
query (its expression must be exactly the query's); on SQLite the migration does nothing."""

from __future__ import annotations

import pytest
from django.db import connection

from forum import selectors

pytestmark = pytest.mark.django_db

INDEX = "forum_post_body_search"


def _index_names() -> set[str]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "forum_post")
    return set(constraints)


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="GIN indexes are PostgreSQL's")
def test_the_search_query_can_use_the_gin_index():
    assert INDEX in _index_names()
    query = selectors.post_search(query="ensom kveld").object_list
    with connection.cursor() as cursor:
        # With a handful of rows a sequential scan is cheaper; forbid it to see the index fit.
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = query.explain()

    assert INDEX in plan


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the SQLite side")
def test_sqlite_has_no_search_index_and_still_searches():
    assert INDEX not in _index_names()
    assert selectors.post_search(query="ensom kveld").count == 0
