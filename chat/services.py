"""Every state change of the one-to-one chat: one function each, keyword arguments, ``now``
passed in. The consumers and views call these (through ``database_sync_to_async``) and
broadcast only after they return: the channel layer is not storage, so a message is stored
with its sequence number first and a client that missed the broadcast resumes from the
database (DESIGN.md, "No message is lost")."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from chat.conf import app_settings
from chat.models import ChatFeedback, Conversation, Message, SupervisorPresence
from letters import services as letter_services
from ordrom import audit, crisis, notifications
from ordrom.roles import Role, has_role, has_two_factor
from ordrom.weeks import week_start

State = Conversation.State
Sender = Message.Sender

MAX_FIRST_LINE = 1000
MAX_TEXT = 4000

ERROR_EMPTY = _("Write something first.")
ERROR_TOO_LONG = _("The message is too long (at most %(limit)s characters).")
ERROR_NOT_RUNNING = _("This chat is not running.")
ERROR_NOT_YOURS = _("This chat is not yours.")
ERROR_FULL = _("You already have as many chats as you can hold.")
ERROR_SAFETY_CHECK = _(
    "This chat is marked urgent. Confirm the safety check before you end it: "
    "an agreed next step, and that the crisis numbers were given."
)
ERROR_NOT_ONLINE = _("That supervisor is not online or has no free place.")
ERROR_NOT_STAFF = _("Only supervisors can take chats.")

SYSTEM_ENDED_BY_MEMBER = _("The member ended the chat.")
SYSTEM_ENDED_BY_SUPERVISOR = _("The supervisor ended the chat.")
SYSTEM_TRANSFERRED = _("The chat was handed over to another supervisor.")

AUDIT_TARGET = "chat"


class ChatError(ValidationError):
    """A refused action, with a message the person can read."""


@dataclass(frozen=True)
class Sent:
    message: Message
    became_urgent: bool
    repeated: bool = False


def staff_name(user) -> str:
    """What a member sees of a supervisor: their first name or chosen staff name."""
    if user is None:
        return ""
    return (user.first_name or user.get_username()).strip()


def _clean_text(text: str, limit: int = MAX_TEXT) -> str:
    text = (text or "").replace("\x00", "").strip()
    if len(text) > limit:
        raise ChatError(ERROR_TOO_LONG % {"limit": limit}, code="too_long")
    return text


def _crisis(text: str, words) -> bool:
    return crisis.signals_crisis(text, words if words is not None else crisis.DEFAULT_WORDS)


def _next_seq(conversation_id: int) -> int:
    """Reserve the next sequence number (the row lock orders concurrent senders): one
    ``UPDATE … RETURNING`` (PostgreSQL, SQLite ≥ 3.35) instead of an update and a re-read."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Conversation._meta.db_table} SET next_seq = next_seq + 1 "  # noqa: S608
            "WHERE id = %s RETURNING next_seq - 1",
            [conversation_id],
        )
        row = cursor.fetchone()
    if row is None:
        raise Conversation.DoesNotExist
    return row[0]


def _add_message(
    *, conversation_id: int, sender: str, text: str, now, author=None, client_id: str = ""
) -> Message:
    seq = _next_seq(conversation_id)
    return Message.objects.create(
        conversation_id=conversation_id,
        seq=seq,
        sender=sender,
        author=author,
        author_name=staff_name(author) if sender == Sender.SUPERVISOR else "",
        text=text,
        created_at=now,
        client_id=client_id,
    )


# --- The queue -----------------------------------------------------------------------------------


def open_conversation_for(*, member) -> Conversation | None:
    return Conversation.objects.filter(
        member=member, state__in=[State.WAITING, State.ACTIVE]
    ).first()


def conversation_enter_queue(
    *,
    member,
    first_line: str = "",
    now: dt.datetime,
    crisis_words: list[str] | None = None,
    same_supervisor: bool = False,
) -> Conversation:
    """Take a place in the queue. One place per account: a second call returns the first."""
    first_line = _clean_text(first_line, MAX_FIRST_LINE)
    existing = open_conversation_for(member=member)
    if existing is not None:
        return existing
    preferred = None
    if same_supervisor:
        last = (
            Conversation.objects.filter(member=member, supervisor__isnull=False)
            .order_by("-taken_at")
            .first()
        )
        preferred = last.supervisor if last else None
    try:
        with transaction.atomic():
            return Conversation.objects.create(
                member=member,
                first_line=first_line,
                urgent=_crisis(first_line, crisis_words),
                queued_at=now,
                # Until the waiting page connects (a visitor first writes down their key
                # phrase), the place is kept a little longer than after a dropped line.
                place_kept_until=now + dt.timedelta(seconds=5 * app_settings.PLACE_KEPT_SECONDS),
                preferred_supervisor=preferred,
            )
    except IntegrityError:  # a second tab entered at the same moment
        return open_conversation_for(member=member)


def waiting_expire(*, now: dt.datetime) -> list[int]:
    """End the waiting places whose kept time lapsed (the member left the page). Lazy: called
    before the queue is read or taken from, and by the sweep."""
    ids = list(
        Conversation.objects.filter(state=State.WAITING, place_kept_until__lt=now).values_list(
            "pk", flat=True
        )
    )
    if ids:
        Conversation.objects.filter(pk__in=ids, state=State.WAITING).update(
            state=State.ENDED, ended_at=now, ended_by=Conversation.EndedBy.EXPIRED
        )
    return ids


def conversation_member_away(*, conversation_id: int, now: dt.datetime) -> None:
    """The member's page lost its connection: keep a waiting place for a while."""
    Conversation.objects.filter(pk=conversation_id, state=State.WAITING).update(
        place_kept_until=now + dt.timedelta(seconds=app_settings.PLACE_KEPT_SECONDS)
    )


def conversation_member_back(*, conversation_id: int) -> None:
    Conversation.objects.filter(pk=conversation_id, place_kept_until__isnull=False).update(
        place_kept_until=None
    )


def waiting_list(*, now: dt.datetime):
    """The waiting people in the order they will be taken: urgent first, then by time."""
    return Conversation.objects.filter(state=State.WAITING).order_by("-urgent", "queued_at", "pk")


def queue_position(*, conversation: Conversation) -> int:
    """1 for the next person to be taken."""
    if conversation.state != State.WAITING:
        return 0
    ahead = Conversation.objects.filter(state=State.WAITING).filter(
        Q(urgent=True, queued_at__lt=conversation.queued_at)
        | Q(urgent=True, queued_at=conversation.queued_at, pk__lt=conversation.pk)
        if conversation.urgent
        else Q(urgent=True)
        | Q(queued_at__lt=conversation.queued_at)
        | Q(queued_at=conversation.queued_at, pk__lt=conversation.pk)
    )
    return ahead.count() + 1


def estimated_wait_minutes(*, position: int, online_supervisors: int) -> int | None:
    """A rough wait: people ahead times an average chat, shared by the free places.
    None when no supervisor is online (we cannot say)."""
    if online_supervisors <= 0:
        return None
    places = online_supervisors * app_settings.MAX_PARALLEL
    rounds = (max(position, 1) - 1) // places
    return max(1, rounds * app_settings.MINUTES_PER_CHAT + (1 if rounds == 0 else 0))


# --- Supervisors ---------------------------------------------------------------------------------


def can_chat(user) -> bool:
    return has_role(user, Role.SUPERVISOR, Role.COORDINATOR)


def can_use_console(user) -> bool:
    """The console socket, like the staff workspace it lives in (ordrom.middleware's staff
    area guard), is only for staff with two-factor authentication set up."""
    if not can_chat(user):
        return False
    return not settings.ORDROM_STAFF_REQUIRE_2FA or has_two_factor(user)


def presence_set(*, user, online: bool, now: dt.datetime) -> SupervisorPresence:
    presence, _created = SupervisorPresence.objects.update_or_create(
        user=user, defaults={"online": online, "last_seen": now}
    )
    return presence


def presence_touch(*, user, now: dt.datetime) -> None:
    SupervisorPresence.objects.filter(user=user, online=True).update(last_seen=now)


def online_supervisors(*, now: dt.datetime):
    since = now - dt.timedelta(seconds=app_settings.PRESENCE_SECONDS)
    return get_user_model().objects.filter(
        chat_presence__online=True, chat_presence__last_seen__gte=since
    )


def capacity_of(user) -> int:
    presence = SupervisorPresence.objects.filter(user=user).first()
    if presence is not None and presence.capacity:
        return presence.capacity
    return app_settings.MAX_PARALLEL


def active_count(*, supervisor) -> int:
    return Conversation.objects.filter(supervisor=supervisor, state=State.ACTIVE).count()


def conversation_take_next(*, supervisor, now: dt.datetime) -> Conversation | None:
    """Give the supervisor the next waiting person, atomically: two supervisors never get the
    same one. On PostgreSQL the candidate row is locked with SKIP LOCKED (a second supervisor
    moves on to the next person instead of waiting); on every database the state change is a
    conditional UPDATE whose row count says who won."""
    if not can_chat(supervisor):
        raise ChatError(ERROR_NOT_STAFF, code="forbidden")
    waiting_expire(now=now)
    if active_count(supervisor=supervisor) >= capacity_of(supervisor):
        raise ChatError(ERROR_FULL, code="full")
    online_ids = set(online_supervisors(now=now).values_list("pk", flat=True))
    patience = now - dt.timedelta(seconds=app_settings.PREFERENCE_SECONDS)
    for _attempt in range(5):
        with transaction.atomic():
            candidates = waiting_list(now=now)
            # "The same supervisor as last time": while that supervisor is online, the
            # request waits for them for a while before anyone else may take it.
            held_for_others = Q(preferred_supervisor__in=online_ids - {supervisor.pk}) & Q(
                queued_at__gt=patience
            )
            candidates = candidates.exclude(held_for_others)
            mine_first = candidates.filter(preferred_supervisor=supervisor)
            if connection.features.has_select_for_update_skip_locked:
                mine_first = mine_first.select_for_update(skip_locked=True, of=("self",))
                candidates = candidates.select_for_update(skip_locked=True, of=("self",))
            conversation = mine_first.first() or candidates.first()
            if conversation is None:
                return None
            won = Conversation.objects.filter(pk=conversation.pk, state=State.WAITING).update(
                state=State.ACTIVE, supervisor=supervisor, taken_at=now, place_kept_until=None
            )
            if won:
                conversation.refresh_from_db()
                return conversation
    return None


def conversation_transfer(*, conversation_id: int, by, to, now: dt.datetime) -> Conversation:
    with transaction.atomic():
        conversation = Conversation.objects.select_for_update().get(pk=conversation_id)
        if conversation.state != State.ACTIVE:
            raise ChatError(ERROR_NOT_RUNNING, code="not_running")
        if conversation.supervisor_id != by.pk:
            raise ChatError(ERROR_NOT_YOURS, code="forbidden")
        online = online_supervisors(now=now).filter(pk=to.pk).exists()
        if not online or to.pk == by.pk or active_count(supervisor=to) >= capacity_of(to):
            raise ChatError(ERROR_NOT_ONLINE, code="not_online")
        conversation.supervisor = to
        conversation.save(update_fields=["supervisor"])
        conversation.last_message = _add_message(
            conversation_id=conversation.pk,
            sender=Sender.SYSTEM,
            text=str(SYSTEM_TRANSFERRED),
            now=now,
        )
    return conversation


# --- Messages ------------------------------------------------------------------------------------


def message_send(
    *,
    conversation_id: int,
    sender: str,
    author,
    text: str,
    now: dt.datetime,
    crisis_words: list[str] | None = None,
    client_id: str = "",
) -> Sent:
    """Store a message with the next sequence number. Only the member of the conversation or
    its supervisor may write, and only while it runs. Crisis words mark it urgent.

    Idempotent per *client_id*: a client resending a message it already sent (the ack was lost
    with the connection) gets the stored message back (``repeated``), nothing is stored twice
    -- even if the chat has ended in between.

    The common case (a running conversation of the sender's, no crisis word) is one
    statement: the conditional ``UPDATE … RETURNING`` of the conversation's ``next_seq`` is
    the ownership and state check, reserves the number and locks the row, and the insert
    happens in the same statement (PostgreSQL) or transaction (SQLite). Anything else (a
    refusal, a resend, a crisis word) takes the careful path below it."""
    text = _clean_text(text)
    if not text:
        raise ChatError(ERROR_EMPTY, code="empty")
    client_id = (client_id or "")[:64]
    fast = author is not None and sender in (Sender.MEMBER, Sender.SUPERVISOR)
    if fast and not _crisis(text, crisis_words):
        message = _message_insert_fast(
            conversation_id=conversation_id,
            sender=str(sender),
            author=author,
            text=text,
            now=now,
            client_id=client_id,
        )
        if message is not None:
            return Sent(message=message, became_urgent=False)
    return _message_send_checked(
        conversation_id=conversation_id,
        sender=sender,
        author=author,
        text=text,
        now=now,
        crisis_words=crisis_words,
        client_id=client_id,
    )


class _Repeated(Exception):
    """A resend met the stored copy: undo the reserved sequence number."""


def _message_insert_fast(
    *, conversation_id: int, sender: str, author, text: str, now, client_id: str
) -> Message | None:
    """Reserve the next number and store the message if the conversation is running and the
    author holds the sender's side of it; None when it is not (or the client_id is already
    stored), for the careful path to explain or to answer the resend."""
    owner_column = "member_id" if sender == Sender.MEMBER else "supervisor_id"
    conversations = Conversation._meta.db_table
    messages = Message._meta.db_table
    author_name = staff_name(author) if sender == Sender.SUPERVISOR else ""
    reserve = (
        f"UPDATE {conversations} SET next_seq = next_seq + 1 "  # noqa: S608 - names, not input
        f"WHERE id = %s AND state = %s AND {owner_column} = %s RETURNING next_seq - 1 AS seq"
    )
    reserve_params = [conversation_id, str(State.ACTIVE), author.pk]
    columns = "conversation_id, seq, sender, author_id, author_name, text, created_at, client_id"
    after_seq = [sender, author.pk, author_name, text]  # then created_at, client_id
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                if connection.vendor == "postgresql":
                    # One round trip: reserve, check and insert. A client_id already stored
                    # makes the insert a no-op (the unique constraint), which is a resend.
                    cursor.execute(
                        f"WITH reserved AS ({reserve}) "  # noqa: S608 - names, not input
                        f"INSERT INTO {messages} ({columns}, delivered_at) "
                        f"SELECT %s, reserved.seq, %s, %s, %s, %s, %s, %s, NULL FROM reserved "
                        "ON CONFLICT DO NOTHING RETURNING id, seq",
                        [*reserve_params, conversation_id, *after_seq, now, client_id],
                    )
                    row = cursor.fetchone()
                    if row is None:
                        # Not running or not theirs (nothing reserved), or a resend (the
                        # reservation is rolled back with the transaction).
                        raise _Repeated
                    pk, seq = row[0], row[1]
                else:
                    cursor.execute(reserve, reserve_params)
                    row = cursor.fetchone()
                    if row is None:
                        return None
                    pk, seq = None, row[0]
                    if connection.features.can_return_columns_from_insert:  # SQLite ≥ 3.35
                        # The insert as written SQL, not Model.save(): building and
                        # compiling the ORM's insert was a tenth of the process's time per
                        # message. A stored client_id raises IntegrityError: a resend.
                        cursor.execute(
                            f"INSERT INTO {messages} ({columns}, delivered_at) "  # noqa: S608
                            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, NULL) RETURNING id",
                            [
                                conversation_id,
                                seq,
                                *after_seq,
                                connection.ops.adapt_datetimefield_value(now),
                                client_id,
                            ],
                        )
                        pk = cursor.fetchone()[0]
            message = Message(
                pk=pk,
                conversation_id=conversation_id,
                seq=seq,
                sender=sender,
                author=author,
                author_name=author_name,
                text=text,
                created_at=now,
                client_id=client_id,
            )
            if pk is None:
                message.save(force_insert=True)  # IntegrityError: the client_id is stored
            else:
                message._state.adding = False
                message._state.db = connection.alias
    except (_Repeated, IntegrityError):  # a resend: rolled back, answered by the careful path
        return None
    return message


def _message_send_checked(
    *,
    conversation_id: int,
    sender: str,
    author,
    text: str,
    now: dt.datetime,
    crisis_words: list[str] | None,
    client_id: str,
) -> Sent:
    """The careful path: lock the conversation, say why a message is refused, answer a
    resend with its stored copy, mark a crisis urgent."""
    with transaction.atomic():
        # The row lock serialises senders of one conversation, so two copies of one resend
        # cannot both miss the lookup below.
        conversation = Conversation.objects.select_for_update().get(pk=conversation_id)
        owner = conversation.member_id if sender == Sender.MEMBER else conversation.supervisor_id
        if author is None or owner != author.pk:
            raise ChatError(ERROR_NOT_YOURS, code="forbidden")
        if client_id:
            stored = Message.objects.filter(
                conversation_id=conversation.pk, sender=sender, client_id=client_id
            ).first()
            if stored is not None:
                return Sent(message=stored, became_urgent=False, repeated=True)
        if conversation.state != State.ACTIVE:
            raise ChatError(ERROR_NOT_RUNNING, code="not_running")
        became_urgent = False
        if not conversation.urgent and _crisis(text, crisis_words):
            conversation.urgent = became_urgent = True
            conversation.save(update_fields=["urgent"])
        message = _add_message(
            conversation_id=conversation.pk,
            sender=sender,
            text=text,
            now=now,
            author=author,
            client_id=client_id,
        )
    return Sent(message=message, became_urgent=became_urgent)


def messages_after(*, conversation_id: int, after_seq: int) -> list[Message]:
    """What a reconnecting client missed: in order, without what it already has."""
    return list(
        Message.objects.filter(conversation_id=conversation_id, seq__gt=max(after_seq, 0)).order_by(
            "seq"
        )
    )


def messages_mark_delivered(
    *, conversation_id: int, reader_side: str, up_to_seq: int, now: dt.datetime
) -> list[int]:
    """The reader's client has shown the other side's messages up to *up_to_seq*."""
    mine = Q(sender=reader_side) | Q(sender=Sender.SYSTEM)
    pending = Message.objects.filter(
        conversation_id=conversation_id, seq__lte=up_to_seq, delivered_at__isnull=True
    ).exclude(mine)
    seqs = list(pending.values_list("seq", flat=True))
    if seqs:
        Message.objects.filter(conversation_id=conversation_id, seq__in=seqs).update(
            delivered_at=now
        )
    return seqs


# --- Urgency and ending --------------------------------------------------------------------------


def conversation_mark_urgent(*, conversation_id: int, by) -> Conversation:
    conversation = Conversation.objects.get(pk=conversation_id)
    if conversation.supervisor_id != by.pk:
        raise ChatError(ERROR_NOT_YOURS, code="forbidden")
    if not conversation.urgent:
        conversation.urgent = True
        conversation.save(update_fields=["urgent"])
    return conversation


def crisis_contact_set(*, conversation_id: int, member, contact: str) -> Conversation:
    """The member's opt-in phone number or place, for staff to call for help."""
    contact = _clean_text(contact, 300)
    with transaction.atomic():
        conversation = Conversation.objects.select_for_update().get(pk=conversation_id)
        if conversation.member_id != member.pk:
            raise ChatError(ERROR_NOT_YOURS, code="forbidden")
        if not conversation.is_open:
            raise ChatError(ERROR_NOT_RUNNING, code="not_running")
        conversation.crisis_contact = contact
        if contact:
            conversation.urgent = True
        conversation.save(update_fields=["crisis_contact", "urgent"])
    return conversation


def _notify_coordinators(conversation: Conversation, now: dt.datetime, reason: str) -> None:
    from django.contrib.auth.models import Group

    group = Group.objects.filter(name=Role.COORDINATOR).first()
    if group is None:
        return
    for coordinator in group.user_set.filter(is_active=True):
        notifications.notify(
            recipient=coordinator,
            kind="chat_urgent_ended",
            url=f"/admin/chat/{conversation.pk}/",
            now=now,
            subject=str(_("An urgent chat ended")),
            reason=reason,
        )


def conversation_end(
    *,
    conversation_id: int,
    by,
    side: str,
    now: dt.datetime,
    next_step: bool = False,
    numbers_given: bool = False,
    note: str = "",
) -> Conversation:
    """End a conversation from either side (or give up a waiting place).

    Guarded ending: an urgent conversation ended by its supervisor needs the safety check
    (an agreed next step, the crisis numbers given), and any urgent conversation that ends
    notifies the coordinators. The member's side always gets an "ended" message, so they
    are never cut off silently.
    """
    with transaction.atomic():
        conversation = Conversation.objects.select_for_update().get(pk=conversation_id)
        if side == Sender.MEMBER:
            if conversation.member_id != by.pk:
                raise ChatError(ERROR_NOT_YOURS, code="forbidden")
        elif conversation.supervisor_id != by.pk:
            raise ChatError(ERROR_NOT_YOURS, code="forbidden")
        if not conversation.is_open:
            conversation.last_message = None
            return conversation
        if side == Sender.SUPERVISOR and conversation.urgent:
            if not (next_step and numbers_given):
                raise ChatError(ERROR_SAFETY_CHECK, code="safety_check")
            conversation.safety_next_step = True
            conversation.safety_numbers_given = True
            conversation.safety_note = _clean_text(note, 2000)
        was_waiting = conversation.state == State.WAITING
        conversation.state = State.ENDED
        conversation.ended_at = now
        if was_waiting:
            conversation.ended_by = Conversation.EndedBy.GAVE_UP
        else:
            conversation.ended_by = (
                Conversation.EndedBy.MEMBER
                if side == Sender.MEMBER
                else Conversation.EndedBy.SUPERVISOR
            )
        conversation.save()
        conversation.last_message = None
        if not was_waiting:
            conversation.last_message = _add_message(
                conversation_id=conversation.pk,
                sender=Sender.SYSTEM,
                text=str(
                    SYSTEM_ENDED_BY_MEMBER if side == Sender.MEMBER else SYSTEM_ENDED_BY_SUPERVISOR
                ),
                now=now,
            )
        if conversation.urgent and not was_waiting:
            _notify_coordinators(conversation, now, reason=conversation.ended_by)
    return conversation


# --- After the chat ------------------------------------------------------------------------------


def conversation_to_letter(
    *,
    member,
    text: str,
    now: dt.datetime,
    answer_hours: int = 48,
    crisis_words: list[str] | None = None,
    conversation_id: int | None = None,
):
    """Turn what the person wrote (a first line, an unsent message) into a letter with the usual
    deadline; a waiting place they had is given up."""
    with transaction.atomic():
        if conversation_id is not None:
            conversation = Conversation.objects.filter(pk=conversation_id, member=member).first()
            if conversation is not None and conversation.state == State.WAITING:
                conversation_end(
                    conversation_id=conversation.pk, by=member, side=Sender.MEMBER, now=now
                )
        return letter_services.letter_create(
            writer=member,
            body=text,
            now=now,
            answer_hours=answer_hours,
            crisis_words=crisis_words,
        )


def feedback_submit(*, answers: dict[str, str], now: dt.datetime) -> int:
    """Store the answers anonymously: only the local week is kept."""
    week = week_start(now)
    rows = [
        ChatFeedback(question=question, answer=answer, week=week)
        for question, answer in answers.items()
        if question in ChatFeedback.Question.values and answer in ChatFeedback.Answer.values
    ]
    ChatFeedback.objects.bulk_create(rows)
    return len(rows)


def conversation_read_by_staff(*, conversation: Conversation, staff, now: dt.datetime) -> None:
    """Staff opening a conversation is written to the audit log."""
    audit.record(
        actor=staff, action=audit.READ, target_type=AUDIT_TARGET, target_id=conversation.pk, now=now
    )


def conversations_delete_expired(*, now: dt.datetime) -> int:
    cutoff = now - dt.timedelta(days=app_settings.RETENTION_DAYS)
    deleted, _rows = Conversation.objects.filter(state=State.ENDED, ended_at__lt=cutoff).delete()
    return deleted
