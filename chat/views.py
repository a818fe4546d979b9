"""The member's pages of the one-to-one chat. The live part runs over the member socket
(chat/consumers.py, static/js/chat.js); these pages render the state, work as forms without
JavaScript where they can, and say plainly that the live chat itself needs it.

Only the member of a conversation ever sees it here: every other account, staff included,
gets 404 (staff read chats in the staff workspace, where reading is audited)."""

from __future__ import annotations

import contextlib
import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.services import generated_member_create
from chat import selectors, services
from chat.conf import app_settings
from chat.forms import (
    ERROR_CLOSED,
    ERROR_NOT_STARTED,
    ERROR_RATE_LIMITED,
    ERROR_UNAVAILABLE,
    CrisisContactForm,
    FeedbackForm,
    LetterFromChatForm,
    StartForm,
)
from chat.models import Conversation
from ordrom.client_keys import client_key
from ordrom.health import channel_layer_available
from pages import lookups

log = logging.getLogger(__name__)
RATE_WINDOW_SECONDS = 60 * 60
LOGIN_BACKEND = "django.contrib.auth.backends.ModelBackend"


# --- Generated visitor accounts: the same per-client allowance as letters ---------------------


def _rate_key(request) -> str:
    # The letters' key: a visitor account made for a chat counts against the same hourly
    # allowance as one made for a letter, so neither door floods the site.
    return f"letters:visitor-letters:{client_key(request)}"


def _rate_limit_reached(request) -> bool:
    key = _rate_key(request)
    cache.add(key, 0, timeout=RATE_WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=RATE_WINDOW_SECONDS)
        count = 1
    return count > settings.LETTERS_VISITOR_LETTERS_PER_HOUR


def _rate_limit_release(request) -> None:
    with contextlib.suppress(ValueError):
        cache.decr(_rate_key(request))


# --- /chat/ ----------------------------------------------------------------------------------


def _index_page(request, *, form=None, letter_form=None, status=200):
    now = timezone.now()
    chat = selectors.chat_status(now=now, request=request)
    is_member = request.user.is_authenticated
    show_same = is_member and selectors.member_has_had_supervisor(member=request.user)
    return render(
        request,
        "chat/index.html",
        {
            "chat": chat,
            # Redis (the channel layer) is down: no live chat to offer, only the letter.
            "unavailable": chat.is_open and not channel_layer_available(),
            "form": form or StartForm(show_same_supervisor=show_same),
            "letter_form": letter_form or LetterFromChatForm(),
            "is_visitor": not is_member,
            "answer_hours": lookups.letter_answer_hours(request),
            "retention_days": app_settings.RETENTION_DAYS,
        },
        status=status,
    )


@require_GET
def chat_index(request):
    if request.user.is_authenticated:
        current = services.open_conversation_for(member=request.user)
        if current is not None:
            return redirect("chat:conversation", conversation_id=current.pk)
    return _index_page(request)


@require_POST
def chat_start(request):
    """Take a place in the queue. A visitor gets an anonymous account first, exactly as when
    writing a letter (pseudonym and key phrase shown once, same per-client allowance)."""
    is_visitor = not request.user.is_authenticated
    show_same = not is_visitor and selectors.member_has_had_supervisor(member=request.user)
    form = StartForm(request.POST, show_same_supervisor=show_same)
    now = timezone.now()
    if not form.is_valid():
        return _index_page(request, form=form)
    if is_visitor and form.honeypot_filled():
        form.add_error(None, ERROR_NOT_STARTED)
        return _index_page(request, form=form)
    if not selectors.chat_status(now=now, request=request).is_open:
        form.add_error(None, ERROR_CLOSED)
        letter_form = LetterFromChatForm(initial={"text": form.cleaned_data["first_line"]})
        return _index_page(request, form=form, letter_form=letter_form)
    if not channel_layer_available():
        # A place in a queue nobody could answer over: offer the letter, with the text kept.
        form.add_error(None, ERROR_UNAVAILABLE)
        letter_form = LetterFromChatForm(initial={"text": form.cleaned_data["first_line"]})
        return _index_page(request, form=form, letter_form=letter_form)
    if is_visitor and _rate_limit_reached(request):
        form.add_error(None, ERROR_RATE_LIMITED)
        return _index_page(request, form=form)
    try:
        with transaction.atomic():
            if is_visitor:
                member, key_phrase = generated_member_create()
            else:
                member, key_phrase = request.user, None
            conversation = services.conversation_enter_queue(
                member=member,
                first_line=form.cleaned_data["first_line"],
                now=now,
                crisis_words=lookups.crisis_words(request),
                same_supervisor=form.cleaned_data.get("same_supervisor", False),
            )
    except ValidationError as error:
        if is_visitor:
            _rate_limit_release(request)
        form.add_error(None, error)
        return _index_page(request, form=form)
    _broadcast_queue()
    if not is_visitor:
        return redirect("chat:conversation", conversation_id=conversation.pk)
    login(request, member, backend=LOGIN_BACKEND)
    # The key phrase exists only in this response: not in the session, the cache or a log.
    return render(
        request,
        "chat/key_phrase.html",
        {
            "pseudonym": member.get_username(),
            "key_phrase": key_phrase,
            "conversation": conversation,
        },
    )


@require_POST
def chat_letter(request):
    """Turn what was written into a letter (the chat is closed, or the person gave up
    waiting). It gets the usual answer deadline."""
    is_visitor = not request.user.is_authenticated
    form = LetterFromChatForm(request.POST)
    conversation_id = None
    if not is_visitor:
        current = services.open_conversation_for(member=request.user)
        conversation_id = current.pk if current and current.state == "waiting" else None
    if not form.is_valid() or (is_visitor and form.honeypot_filled()):
        if form.is_valid():
            form.add_error(None, ERROR_NOT_STARTED)
        if conversation_id:
            return _conversation_page(request, current, letter_form=form)
        return _index_page(request, letter_form=form)
    if is_visitor and _rate_limit_reached(request):
        form.add_error(None, ERROR_RATE_LIMITED)
        return _index_page(request, letter_form=form)
    now = timezone.now()
    try:
        with transaction.atomic():
            if is_visitor:
                member, key_phrase = generated_member_create()
            else:
                member, key_phrase = request.user, None
            letter = services.conversation_to_letter(
                member=member,
                text=form.cleaned_data["text"],
                now=now,
                answer_hours=lookups.letter_answer_hours(request),
                crisis_words=lookups.crisis_words(request),
                conversation_id=conversation_id,
            )
    except ValidationError as error:
        if is_visitor:
            _rate_limit_release(request)
        form.add_error(None, error)
        return _index_page(request, letter_form=form)
    if not is_visitor:
        messages.success(request, _("Your letter has been sent."))
        return redirect("letters:thread", thread_id=letter.thread_id)
    login(request, member, backend=LOGIN_BACKEND)
    return render(
        request,
        "chat/key_phrase.html",
        {
            "pseudonym": member.get_username(),
            "key_phrase": key_phrase,
            "letter": letter,
            "answer_hours": lookups.letter_answer_hours(request),
        },
    )


# --- One conversation ------------------------------------------------------------------------


def _own_conversation(request, conversation_id: int) -> Conversation:
    conversation = selectors.member_conversation(
        member=request.user, conversation_id=conversation_id
    )
    if conversation is None:
        raise Http404
    return conversation


def _conversation_page(
    request, conversation, *, letter_form=None, feedback_form=None, contact_form=None
):
    now = timezone.now()
    state = selectors.member_state(conversation_id=conversation.pk, now=now)
    conversation.refresh_from_db()
    return render(
        request,
        "chat/conversation.html",
        {
            "conversation": conversation,
            "state": state,
            "transcript": selectors.transcript(conversation_id=conversation.pk),
            "supervisor_name": services.staff_name(conversation.supervisor),
            "letter_form": letter_form
            or LetterFromChatForm(initial={"text": conversation.first_line}),
            "feedback_form": feedback_form or FeedbackForm(),
            "contact_form": contact_form
            or CrisisContactForm(initial={"contact": conversation.crisis_contact}),
            "feedback_given": request.session.get(f"chat-feedback-{conversation.pk}", False),
            "max_length": services.MAX_TEXT,
            "retention_days": app_settings.RETENTION_DAYS,
            "unavailable": conversation.is_open and not channel_layer_available(),
        },
    )


@login_required
@require_GET
def conversation_detail(request, conversation_id: int):
    conversation = _own_conversation(request, conversation_id)
    return _conversation_page(request, conversation)


@login_required
@require_POST
def conversation_end(request, conversation_id: int):
    """Leave the queue or end the chat (the page's button; the socket does the same)."""
    conversation = _own_conversation(request, conversation_id)
    services.conversation_end(
        conversation_id=conversation.pk, by=request.user, side="member", now=timezone.now()
    )
    _broadcast_change(conversation.pk)
    return redirect("chat:conversation", conversation_id=conversation.pk)


@login_required
@require_POST
def crisis_contact(request, conversation_id: int):
    conversation = _own_conversation(request, conversation_id)
    form = CrisisContactForm(request.POST)
    if not form.is_valid():
        return _conversation_page(request, conversation, contact_form=form)
    try:
        services.crisis_contact_set(
            conversation_id=conversation.pk,
            member=request.user,
            contact=form.cleaned_data["contact"],
        )
    except ValidationError as error:
        form.add_error(None, error)
        return _conversation_page(request, conversation, contact_form=form)
    _broadcast_change(conversation.pk)
    messages.success(request, _("Thank you. The supervisor in this chat can see it now."))
    return redirect("chat:conversation", conversation_id=conversation.pk)


@login_required
@require_POST
def feedback(request, conversation_id: int):
    conversation = _own_conversation(request, conversation_id)
    if conversation.state != Conversation.State.ENDED:
        raise Http404
    key = f"chat-feedback-{conversation.pk}"
    if request.session.get(key):
        return redirect("chat:conversation", conversation_id=conversation.pk)
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        return _conversation_page(request, conversation, feedback_form=form)
    services.feedback_submit(answers=form.answers(), now=timezone.now())
    request.session[key] = True
    messages.success(request, _("Thank you for your answers."))
    return redirect("chat:conversation", conversation_id=conversation.pk)


def _broadcast_change(conversation_id: int) -> None:
    """A page changed a conversation: tell its sockets and the staff console."""
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    from chat.consumers import STAFF_GROUP, WAITING_GROUP, conversation_group
    from chat.models import Message

    layer = get_channel_layer()
    last = Message.objects.filter(conversation_id=conversation_id).order_by("-seq").first()
    send = async_to_sync(layer.group_send)
    group = conversation_group(conversation_id)
    # The change is stored; the sockets catch up when they (re)connect. A channel layer
    # that is down must not turn a stored change into an error page.
    try:
        if last is not None and last.sender == Message.Sender.SYSTEM:
            send(group, {"type": "chat.message", "frame": last.as_frame()})
        send(group, {"type": "chat.state", "conversation": conversation_id})
        send(STAFF_GROUP, {"type": "chat.queue"})
        send(WAITING_GROUP, {"type": "chat.queue"})
    except Exception:
        log.warning("chat: could not tell the sockets about a change", exc_info=True)


def _broadcast_queue() -> None:
    """Someone joined the queue: the consoles redraw their waiting lists."""
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    from chat.consumers import STAFF_GROUP

    try:
        async_to_sync(get_channel_layer().group_send)(STAFF_GROUP, {"type": "chat.queue"})
    except Exception:
        log.warning("chat: could not tell the consoles about the queue", exc_info=True)
