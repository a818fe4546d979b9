"""A writer's letters are in their data export and go with their account; the anonymous
counts (LetterRecord) stay for the statistics."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.utils import timezone

from accounts import services as account_services
from letters import services
from letters.models import Letter, LetterRecord, Reply, Thread


@pytest.mark.django_db
def test_export_holds_the_writers_letters_and_sent_answers(
    member, member_client, write_letter, answer_letter
):
    letter = write_letter(member, body="Mitt første brev", subject="Om ensomhet")
    answer_letter(letter, body="Svaret ditt", next_step="Ring en venn")

    response = member_client.get("/accounts/export/")

    data = json.loads(response.content)
    (thread,) = data["letters"]
    assert thread["subject"] == "Om ensomhet"
    (item,) = thread["letters"]
    assert item["text"] == "Mitt første brev"
    assert item["answer"]["text"] == "Svaret ditt"
    assert item["answer"]["next_step"] == "Ring en venn"


@pytest.mark.django_db
def test_export_leaves_out_answers_not_yet_sent(member, write_letter, supervisor):
    letter = write_letter(member)
    now = timezone.now()
    services.letter_claim(letter_id=letter.pk, by=supervisor, now=now)
    services.reply_save_draft(letter_id=letter.pk, by=supervisor, body="Utkast", now=now)

    data = account_services.account_export(user=member)

    assert "answer" not in data["letters"][0]["letters"][0]


@pytest.mark.django_db
def test_deleting_the_account_deletes_threads_letters_and_answers_but_keeps_the_counts(
    member, other_member, write_letter, answer_letter, password
):
    letter = write_letter(member)
    answer_letter(letter)
    write_letter(member, body="Et brev til")
    kept = write_letter(other_member, body="Noen andres brev")
    client = Client()
    client.force_login(member)

    response = client.post("/accounts/delete/", {"password": password, "confirm": "on"})

    assert response.status_code == 302
    assert not Thread.objects.filter(writer_id=member.pk).exists()
    assert list(Letter.objects.all()) == [kept]
    assert not Reply.objects.exists()
    assert LetterRecord.objects.count() == 3
    assert LetterRecord.objects.filter(letter__isnull=True).count() == 2
    assert LetterRecord.objects.filter(answered_at__isnull=False).count() == 1
