"""Database connections are kept between calls (socket start-up under daphne
would otherwise open a new connection for every database_sync_to_async call)."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from ordrom import environment as E

PG = {"DATABASE_URL": "postgres://ordrom:secret@db.internal:5432/ordrom"}


def test_postgresql_keeps_connections_for_a_minute_with_health_checks():
    config = E.database_config(PG, sqlite_path="unused")
    assert (config["CONN_MAX_AGE"], config["CONN_HEALTH_CHECKS"]) == (60, True)


def test_the_age_comes_from_the_environment():
    config = E.database_config({**PG, "ORDROM_DB_CONN_MAX_AGE": "0"}, sqlite_path="unused")
    assert config["CONN_MAX_AGE"] == 0
    with pytest.raises(ImproperlyConfigured, match="ORDROM_DB_CONN_MAX_AGE"):
        E.database_config({**PG, "ORDROM_DB_CONN_MAX_AGE": "soon"}, sqlite_path="unused")


def test_sqlite_keeps_connections_too():
    config = E.database_config({}, sqlite_path="ordrom.sqlite3")
    assert (config["CONN_MAX_AGE"], config["CONN_HEALTH_CHECKS"]) == (60, True)
    config = E.database_config({"ORDROM_DB_CONN_MAX_AGE": "0"}, sqlite_path="ordrom.sqlite3")
    assert config["CONN_MAX_AGE"] == 0
