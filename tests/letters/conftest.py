"""Fixtures shared by the letters tests (writer side and staff side). Keep additions additive."""

from __future__ import annotations

import pytest
import time_machine


@pytest.fixture
def travel():
    """travel(moment): the clock stands at *moment* and ticks on (time_machine, tick=False
    keeps it still); returns the traveller so a test can ``shift`` it."""
    travellers = []

    def go(moment, *, tick: bool = False):
        traveller = time_machine.travel(moment, tick=tick)
        travellers.append(traveller)
        return traveller.start()

    yield go
    for traveller in reversed(travellers):
        traveller.stop()


# --- The writer's side (tests/letters/test_writer_*.py) ----------------------------------------


@pytest.fixture
def write_letter(db):
    """write_letter(writer, body=..., now=..., subject=..., topic=...): a first letter through
    the service, as the /letters/new/ page sends it."""
    from django.utils import timezone

    from letters import services

    def write(writer, body="Jeg føler meg alene om kveldene.", *, now=None, **fields):
        return services.letter_create(
            writer=writer, body=body, now=now or timezone.now(), **fields
        )

    return write


@pytest.fixture
def answer_letter(db, user_factory):
    """answer_letter(letter, body=..., now=..., referral_service_ids=..., next_step=...,
    follow_up_on=...): a supervisor claims, drafts and sends the answer. Returns the Reply."""
    from django.utils import timezone

    from letters import services
    from ordrom.roles import Role

    answerer = {}

    def answer(letter, body="Takk for at du skrev til oss.", *, now=None, by=None, **fields):
        now = now or timezone.now()
        if by is None:
            if "supervisor" not in answerer:
                answerer["supervisor"] = user_factory(
                    "Veileder Svar", roles=(Role.SUPERVISOR,)
                )
            by = answerer["supervisor"]
        assert services.letter_claim(letter_id=letter.pk, by=by, now=now).ok
        services.reply_save_draft(letter_id=letter.pk, by=by, body=body, now=now, **fields)
        return services.reply_send(letter_id=letter.pk, by=by, now=now)

    return answer
