"""No IP address or user agent is stored in any table, cache key or log line
(DESIGN.md: anonymous by design). Every column of every table is scanned after a
visitor has signed up, logged out, failed a login, logged in and used their account."""

import logging

import pytest
from django.apps import apps
from django.contrib.sessions.backends.db import SessionStore
from django.core.cache import cache
from django.db import connection, models
from django.test import Client

ADDRESS = "203.0.113.77"
USER_AGENT = "ProbeBrowser/9.9 (X11; Linux x86_64)"
TRACES = (ADDRESS, USER_AGENT, "ProbeBrowser")
PASSWORD = "natten-er-lang-og-stille-9"
TEXT_FIELDS = (
    models.CharField,
    models.TextField,
    models.JSONField,
    models.GenericIPAddressField,
    models.BinaryField,
)


def _as_text(value) -> str:
    if isinstance(value, memoryview):
        value = value.tobytes()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def _visit_as_a_new_member():
    client = Client(REMOTE_ADDR=ADDRESS, HTTP_USER_AGENT=USER_AGENT)
    assert client.get("/accounts/signup/").status_code == 200
    response = client.post(
        "/accounts/signup/",
        {"username": "Stille Fjell", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    client.post("/accounts/logout/")
    client.post("/accounts/login/", {"login": "Stille Fjell", "password": "feil-passord-1"})
    response = client.post("/accounts/login/", {"login": "Stille Fjell", "password": PASSWORD})
    assert response.status_code == 302
    client.post("/accounts/", {"email": "fjell@example.com"})
    assert client.get("/accounts/export/").status_code == 200
    assert client.get("/").status_code == 200
    return client


def _columns_holding_a_trace() -> list[str]:
    found = []
    # Every text-like field of every model, through the ORM ...
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, TEXT_FIELDS):
                for value in model._default_manager.values_list(field.attname, flat=True):
                    if any(trace in _as_text(value) for trace in TRACES):
                        found.append(f"{model._meta.label}.{field.name}")
    # ... and every column of every table, models or not, in raw SQL.
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        assert "django_session" in tables
        for table in tables:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            names = [column[0] for column in cursor.description]
            for row in cursor.fetchall():
                for name, value in zip(names, row, strict=True):
                    text = _as_text(value)
                    if table == "django_session" and name == "session_data":
                        text = str(SessionStore().decode(text))  # signed, base64-encoded
                    if any(trace in text for trace in TRACES):
                        found.append(f"{table}.{name}")
    return found


@pytest.mark.django_db
def test_no_table_column_or_log_line_holds_the_client_address(caplog):
    caplog.set_level(logging.DEBUG)
    client = _visit_as_a_new_member()
    assert client.session.get("_auth_user_id")  # the visit really ended signed in

    assert _columns_holding_a_trace() == []
    assert not [record for record in caplog.records if ADDRESS in record.getMessage()]
    assert ADDRESS not in caplog.text


@pytest.mark.django_db
def test_the_scan_would_notice_an_address_in_a_column_or_a_session(member):
    member.last_name = f"seen from {ADDRESS}"
    member.save()
    client = Client()
    client.force_login(member)
    session = client.session
    session["client"] = USER_AGENT
    session.save()

    found = _columns_holding_a_trace()

    assert "accounts.User.last_name" in found
    assert "django_session.session_data" in found


@pytest.mark.django_db
def test_no_cache_key_or_value_holds_the_client_address():
    _visit_as_a_new_member()

    backend = cache._cache
    if isinstance(backend, dict):  # local memory: values are pickles
        entries = [(key, _as_text(value)) for key, value in backend.items()]
    else:  # Redis
        redis = backend.get_client(write=False)
        entries = [(_as_text(key), _as_text(redis.dump(key))) for key in redis.keys("*")]

    assert entries, "the visit should have left rate-limit entries in the cache"
    for key, value in entries:
        assert ADDRESS not in key and "127.0.0.1" not in key
        assert ADDRESS not in value
