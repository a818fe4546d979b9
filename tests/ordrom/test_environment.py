"""Settings come from the environment: development defaults, real services by URL,
and a production mode that refuses development defaults."""

import base64
import os
import secrets
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from ordrom import environment as E

ROOT = Path(__file__).resolve().parents[2]
SERVICE_VARIABLES = (
    "DJANGO_ENV",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "REDIS_URL",
    "ORDROM_MFA_KEY",
    "DEBUG",
)


def production_env(**overrides):
    env = {
        "DJANGO_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(45),
        "ALLOWED_HOSTS": "ordrom.example",
        "DATABASE_URL": "postgres://ordrom:secret@db.internal:5432/ordrom",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "ORDROM_MFA_KEY": base64.urlsafe_b64encode(os.urandom(32)).decode(),
    }
    env.update(overrides)
    return {name: value for name, value in env.items() if value is not None}


def test_a_sqlite_database_url_gets_wal_and_immediate_transactions_too():
    # The browser tests point DATABASE_URL at a SQLite file shared by daphne, its socket
    # threads and manage.py: without WAL a reader blocks a visitor's letter ("locked").
    config = E.database_config(
        {"DATABASE_URL": "sqlite:////tmp/e2e.sqlite3?timeout=20"}, sqlite_path="unused"
    )

    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_without_database_url_the_database_is_a_local_sqlite_file():
    config = E.database_config({}, sqlite_path="/srv/ordrom/ordrom.sqlite3")

    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == "/srv/ordrom/ordrom.sqlite3"


def test_postgres_database_url_gives_the_postgresql_engine_on_psycopg_3():
    config = E.database_config(
        {"DATABASE_URL": "postgres://ordrom:hemmelig@db.internal:5433/ordrom"},
        sqlite_path="unused",
    )

    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"]) == ("db.internal", 5433, "ordrom")
    assert (config["USER"], config["PASSWORD"]) == ("ordrom", "hemmelig")
    # Django's postgresql backend uses psycopg 3 when it is installed.
    assert psycopg.__version__.startswith("3.")


def test_database_url_for_another_engine_is_refused():
    with pytest.raises(ImproperlyConfigured, match="PostgreSQL"):
        E.database_config({"DATABASE_URL": "mysql://u:p@db/ordrom"}, sqlite_path="unused")


def test_without_redis_url_channels_use_the_in_memory_layer_and_cache_is_local_memory():
    assert E.channel_layers({})["default"]["BACKEND"] == "channels.layers.InMemoryChannelLayer"
    assert E.caches({})["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    assert E.redis_url({}) is None


def test_redis_url_gives_the_channels_redis_pubsub_layer_and_a_redis_cache():
    env = {"REDIS_URL": "redis://127.0.0.1:6379/3"}

    layer = E.channel_layers(env)["default"]
    cache = E.caches(env)["default"]

    # channels_redis' pub/sub layer (ordrom.channel_layer publishes without its shard lock).
    assert layer["BACKEND"] == "ordrom.channel_layer.PubSubChannelLayer"
    backend = import_string(layer["BACKEND"])
    assert issubclass(backend, import_string("channels_redis.pubsub.RedisPubSubChannelLayer"))
    assert layer["CONFIG"]["hosts"] == ["redis://127.0.0.1:6379/3"]
    assert cache["BACKEND"] == "ordrom.cache.ResilientRedisCache"
    assert cache["LOCATION"] == "redis://127.0.0.1:6379/3"


def test_redis_url_with_another_scheme_is_refused():
    with pytest.raises(ImproperlyConfigured, match="REDIS_URL"):
        E.redis_url({"REDIS_URL": "http://127.0.0.1:6379/0"})


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, True), ("", True), ("1", True), ("yes", True), ("0", False), ("false", False)],
)
def test_env_bool_reads_common_spellings_and_falls_back_to_the_default(value, expected):
    env = {} if value is None else {"FLAG": value}
    assert E.env_bool(env, "FLAG", default=True) is expected


def test_env_list_splits_on_commas_and_drops_blanks():
    assert E.env_list({"HOSTS": " a.example, ,b.example "}, "HOSTS", default=[]) == [
        "a.example",
        "b.example",
    ]
    assert E.env_list({}, "HOSTS", default=["x"]) == ["x"]


def test_production_is_only_switched_on_by_django_env():
    assert E.is_production({"DJANGO_ENV": "production"})
    assert not E.is_production({})
    assert not E.is_production({"DJANGO_ENV": "development"})


def test_production_with_nothing_set_lists_every_missing_piece_at_once():
    with pytest.raises(ImproperlyConfigured) as error:
        E.check_production({"DJANGO_ENV": "production"})

    message = str(error.value)
    for name in ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL", "ORDROM_MFA_KEY"):
        assert name in message


def test_production_with_every_real_setting_starts():
    E.check_production(production_env())


@pytest.mark.parametrize(
    ("override", "named"),
    [
        ({"SECRET_KEY": E.DEVELOPMENT_SECRET_KEY}, "SECRET_KEY"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"SECRET_KEY": "a" * 60}, "SECRET_KEY"),
        ({"ALLOWED_HOSTS": "*"}, "ALLOWED_HOSTS"),
        ({"ALLOWED_HOSTS": None}, "ALLOWED_HOSTS"),
        ({"DATABASE_URL": "sqlite:///ordrom.sqlite3"}, "DATABASE_URL"),
        ({"REDIS_URL": None}, "REDIS_URL"),
        ({"ORDROM_MFA_KEY": None}, "ORDROM_MFA_KEY"),
    ],
)
def test_production_refuses_each_development_default(override, named):
    with pytest.raises(ImproperlyConfigured) as error:
        E.check_production(production_env(**override))

    assert named in str(error.value)


def _manage(*args, env):
    base = {k: v for k, v in os.environ.items() if k not in SERVICE_VARIABLES}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_manage_py_in_production_without_configuration_exits_with_the_reason():
    result = _manage("check", env={"DJANGO_ENV": "production"})

    assert result.returncode != 0
    assert "DJANGO_ENV=production refuses to start" in result.stderr
    assert "SECRET_KEY" in result.stderr


def test_manage_py_check_deploy_is_clean_with_real_production_settings():
    result = _manage(
        "check",
        "--deploy",
        env=production_env(DATABASE_URL="postgres://postgres@127.0.0.1:5432/test"),
    )

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr
