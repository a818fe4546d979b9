"""No client address reaches a log line, including daphne's access lines."""

import logging

import pytest

from ordrom.logfilters import StripClientAddress, strip_addresses


@pytest.mark.parametrize(
    "line",
    [
        '203.0.113.77:51234 - - [23/Nov/2026:18:00:00] "GET / HTTP/1.1" 200 1234',
        '[2001:db8::7]:51234 - - [23/Nov/2026:18:00:00] "GET /healthz HTTP/1.1" 200 2',
        "2001:0db8:0000:0000:0000:ff00:0042:8329 connected",
        "::1 connected",
    ],
)
def test_strip_addresses_removes_ipv4_and_ipv6_addresses(line):
    cleaned = strip_addresses(line)

    for address in ("203.0.113.77", "2001:db8::7", "2001:0db8", "::1"):
        assert address not in cleaned
    assert "-" in cleaned


def test_strip_addresses_leaves_times_alone():
    assert strip_addresses("opened at 14:30:00") == "opened at 14:30:00"


def _record(msg, args):
    return logging.LogRecord("django.channels.server", logging.INFO, __file__, 1, msg, args, None)


def test_filter_blanks_the_client_of_a_daphne_access_record():
    # daphne's runserver logs with a dict of args that includes the client address.
    # (daphne/management/commands/runserver.py, log_action).
    record = _record(
        "HTTP %(method)s %(path)s %(status)s [%(time_taken).2f, %(client)s]",
        {
            "method": "GET",
            "path": "/",
            "status": 200,
            "time_taken": 0.01,
            "client": "203.0.113.77:51234",
        },
    )

    assert StripClientAddress().filter(record) is True
    assert "203.0.113.77" not in record.getMessage()
    assert record.getMessage().startswith("HTTP GET / 200 [0.01, ")


def test_filter_blanks_the_client_of_a_daphne_websocket_record():
    record = _record(
        "WebSocket CONNECT %(path)s [%(client)s]", {"path": "/ws/", "client": "[::1]:4"}
    )

    StripClientAddress().filter(record)

    assert record.getMessage() == "WebSocket CONNECT /ws/ [-]"


def test_filter_strips_an_address_passed_as_a_positional_argument():
    record = _record("HTTP %s %s [%s]", ("GET", "/accounts/login/", "203.0.113.77:4000"))

    StripClientAddress().filter(record)

    assert "203.0.113.77" not in record.getMessage()
    assert "/accounts/login/" in record.getMessage()


def test_filter_leaves_a_record_without_an_address_as_it_was():
    record = _record("Letter %s claimed", (42,))

    StripClientAddress().filter(record)

    assert (record.msg, record.args) == ("Letter %s claimed", (42,))


def test_the_console_handler_of_the_settings_applies_the_filter(settings):
    handler = settings.LOGGING["handlers"]["console"]

    assert "no_client" in handler["filters"]
    assert settings.LOGGING["filters"]["no_client"]["()"] == "ordrom.logfilters.StripClientAddress"
