"""Logging filters that keep personal data out of log lines."""

import logging
import re

_IPV4 = re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b")
# All eight groups, or a "::" abbreviation, so plain times such as 14:30:00 are left alone.
_IPV6 = re.compile(
    r"\[?(?:[0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}\]?(?::\d+)?"
    r"|\[?(?:[0-9a-fA-F]{1,4}(?::[0-9a-fA-F]{1,4}){0,5})?::"
    r"(?:[0-9a-fA-F]{1,4}(?::[0-9a-fA-F]{1,4}){0,5})?\]?(?::\d+)?"
)


def strip_addresses(text: str) -> str:
    return _IPV6.sub("-", _IPV4.sub("-", text))


class StripClientAddress(logging.Filter):
    """Remove client addresses from records, e.g. daphne's runserver access lines.

    daphne's runserver logs ``[time, client]`` for every request; the message is rendered
    here once and any address in it is replaced, so no handler ever sees it.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, dict) and "client" in args:
            record.args = {**args, "client": "-"}
        message = record.getMessage()
        cleaned = strip_addresses(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
