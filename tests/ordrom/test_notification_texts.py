"""Notifications are written in the reader's language when shown, not when sent."""

from __future__ import annotations

from html import escape

import pytest
from django.utils import timezone, translation

from chat.groups.services import NOTE_KIND, NOTE_TEXT
from friends import services as friends
from ordrom import notifications

pytestmark = pytest.mark.django_db


def test_an_english_reader_sees_each_apps_notification_in_english(member, client_for):
    now = timezone.now()
    notifications.notify(
        recipient=member, kind=friends.NOTIFY_MESSAGE, url="/friends/", subject="Solsikke", now=now
    )
    notifications.notify(recipient=member, kind=NOTE_KIND, url="/chat/samtalerom/", now=now)
    client = client_for(member)
    client.cookies["django_language"] = "en"

    html = client.get("/forum/notifications/").content.decode()

    with translation.override("en"):
        assert (
            escape(str(friends._NOTICES[friends.NOTIFY_MESSAGE]) % {"subject": "Solsikke"}) in html
        )
        assert escape(str(NOTE_TEXT)) in html


def test_only_the_name_is_stored_never_a_sentence_in_one_language(member):
    friends._notify(
        recipient=member,
        kind=friends.NOTIFY_MESSAGE,
        url="/friends/",
        now=timezone.now(),
        name="Solsikke",
    )

    assert member.notifications.get().subject == "Solsikke"


def test_a_kind_nobody_registered_shows_its_subject(member):
    item = notifications.notify(
        recipient=member, kind="unknown", url="/", subject="Noe skjedde", now=timezone.now()
    )
    assert notifications.text_for(item) == "Noe skjedde"
