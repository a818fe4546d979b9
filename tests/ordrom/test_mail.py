"""The development email backend keeps members' addresses out of the server's output."""

import io

from django.core.mail import EmailMessage

from ordrom.mail import HIDDEN, ConsoleEmailBackend


def test_console_backend_writes_the_message_without_the_recipients_address():
    stream = io.StringIO()
    message = EmailMessage(
        "Du har et svar på Ordrom", "Logg inn for å lese det.", None, ["skriver@example.org"]
    )

    sent = ConsoleEmailBackend(stream=stream).send_messages([message])

    written = stream.getvalue()
    assert sent == 1
    assert "skriver@example.org" not in written
    assert HIDDEN in written
    assert "Logg inn for å lese det." in written
    assert message.to == ["skriver@example.org"]  # the message itself is left as it was
