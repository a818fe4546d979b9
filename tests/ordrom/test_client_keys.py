"""Rate limits key on a daily-rotating keyed hash of the client address, never the address."""

import datetime as dt

from django.test import RequestFactory

from ordrom.client_keys import client_key

DAY = dt.datetime(2026, 11, 23, 12, tzinfo=dt.UTC)


def _request(address):
    return RequestFactory().get("/", REMOTE_ADDR=address)


def test_client_key_does_not_contain_the_address():
    key = client_key(_request("203.0.113.77"), now=DAY)

    assert "203.0.113.77" not in key
    assert len(key) == 32 and all(ch in "0123456789abcdef" for ch in key)


def test_same_address_on_the_same_day_gives_the_same_key():
    assert client_key(_request("203.0.113.77"), now=DAY) == client_key(
        _request("203.0.113.77"), now=DAY + dt.timedelta(hours=3)
    )


def test_different_addresses_give_different_keys():
    assert client_key(_request("203.0.113.77"), now=DAY) != client_key(
        _request("203.0.113.78"), now=DAY
    )


def test_the_key_of_an_address_changes_the_next_day():
    assert client_key(_request("203.0.113.77"), now=DAY) != client_key(
        _request("203.0.113.77"), now=DAY + dt.timedelta(days=1)
    )
