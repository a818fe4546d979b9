"""The development email backend: Django's console backend without the recipients' addresses.

Django's console backend writes every message whole to the server's output, "To:" included,
so a development or demo server would keep the optional addresses members gave in its log
(DESIGN.md: no email of a member in any log line). This one writes the message with each
recipient address replaced; production sends through SMTP and logs nothing of it.
"""

from __future__ import annotations

import copy

from django.core.mail.backends.console import EmailBackend as DjangoConsoleBackend

HIDDEN = "(a member's address, not logged)"


class ConsoleEmailBackend(DjangoConsoleBackend):
    def write_message(self, message):
        shown = copy.copy(message)
        shown.to = [HIDDEN for _ in message.to]
        shown.cc = [HIDDEN for _ in message.cc]
        shown.bcc = [HIDDEN for _ in message.bcc]
        shown.reply_to = [HIDDEN for _ in message.reply_to]
        super().write_message(shown)
