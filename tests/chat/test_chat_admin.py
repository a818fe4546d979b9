"""The chat in the staff workspace: console, overview and read-only transcripts, by role."""

from __future__ import annotations

import pytest
from django.utils import timezone

from chat import services
from chat.models import CannedPhrase
from ordrom.models import AuditEntry

pytestmark = pytest.mark.django_db

ROLES = ["supervisor", "coordinator", "moderator", "editor", "member"]


def _status(request, client, role, url):
    if role is None:
        return client.get(url).status_code
    return request.getfixturevalue(f"{role}_client").get(url).status_code


@pytest.mark.parametrize(
    "role,expected",
    [("supervisor", 200), ("coordinator", 200), ("moderator", 403), ("editor", 403)],
)
def test_console_is_for_supervisors_and_coordinators(request, client, role, expected):
    CannedPhrase.objects.create(title="Hilsen", text="Hei, jeg heter Kari.")
    response = request.getfixturevalue(f"{role}_client").get("/admin/chat/")
    assert response.status_code == expected
    if expected == 200:
        assert b"data-chat-console" in response.content
        assert b"Hei, jeg heter Kari." in response.content


@pytest.mark.parametrize("role,expected", [(None, 302), ("member", 403)])
@pytest.mark.parametrize("path", ["", "overview/", "1/"])
def test_staff_pages_refuse_members_and_send_anonymous_to_login(
    request, client, role, expected, path
):
    assert _status(request, client, role, "/admin/chat/" + path) == expected


@pytest.mark.parametrize(
    "role,expected",
    [("supervisor", 403), ("coordinator", 200), ("moderator", 403), ("editor", 403)],
)
def test_overview_is_for_coordinators(request, client, role, expected, member):
    conversation = services.conversation_enter_queue(member=member, now=timezone.now())
    holder = request.getfixturevalue("supervisor")
    services.conversation_take_next(supervisor=holder, now=timezone.now())
    response = request.getfixturevalue(f"{role}_client").get("/admin/chat/overview/")
    assert response.status_code == expected
    if expected == 200:
        assert f"/admin/chat/{conversation.pk}/".encode() in response.content


def test_transcript_read_is_audited_and_crisis_contact_only_for_the_holder(
    member, supervisor, supervisor_client, coordinator_client, coordinator
):
    conversation = services.conversation_enter_queue(member=member, now=timezone.now())
    services.conversation_take_next(supervisor=supervisor, now=timezone.now())
    services.crisis_contact_set(
        conversation_id=conversation.pk, member=member, contact="Storgata 9"
    )
    url = f"/admin/chat/{conversation.pk}/"
    as_coordinator = coordinator_client.get(url)
    assert as_coordinator.status_code == 200
    assert b"Storgata 9" not in as_coordinator.content
    as_holder = supervisor_client.get(url)
    assert b"Storgata 9" in as_holder.content
    actors = set(
        AuditEntry.objects.filter(target_type="chat", target_id=conversation.pk).values_list(
            "actor", flat=True
        )
    )
    assert actors == {supervisor.pk, coordinator.pk}


def test_supervisor_cannot_read_a_chat_someone_else_holds(
    member, supervisor, user_factory, client_for
):
    from ordrom.roles import Role

    other = user_factory(roles=(Role.SUPERVISOR,), two_factor=True)
    conversation = services.conversation_enter_queue(member=member, now=timezone.now())
    services.conversation_take_next(supervisor=supervisor, now=timezone.now())
    assert client_for(other).get(f"/admin/chat/{conversation.pk}/").status_code == 403
    assert not AuditEntry.objects.filter(actor=other).exists()
