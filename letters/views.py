"""The writer's side of letters: write (with or without an account), read, follow up.

Only the writer ever sees a thread here: every other account, staff included, gets 404
(staff read letters in the staff workspace, where reading is audited).
"""

from __future__ import annotations

import contextlib
import datetime as dt

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.services import generated_member_create, generated_member_key_phrase_renew
from letters import fragments, selectors, services
from letters.conf import app_settings
from letters.forms import (
    DEADLINE_FORMAT,
    ERROR_NOT_SENT,
    ERROR_RATE_LIMITED,
    FeedbackForm,
    FollowUpForm,
    KeySavedForm,
    LetterForm,
    Stamp,
    stamp_check,
)
from letters.models import Reply, Thread
from ordrom.client_keys import client_key
from pages import lookups

# A visitor's form sent again this soon after its letter was stored (the first answer was
# lost) gets a new key phrase for the account made then; later it only points to the login.
SUBMISSION_SECONDS = 15 * 60
RATE_WINDOW_SECONDS = 60 * 60
LOGIN_BACKEND = "django.contrib.auth.backends.ModelBackend"


def deadline_text(due_at) -> str:
    """The deadline as people say it, in Oslo time and the active language."""
    return date_format(timezone.localtime(due_at), str(DEADLINE_FORMAT))


def _sent_message(letter) -> str:
    return _("Your letter has been sent. You will get an answer by %(deadline)s.") % {
        "deadline": deadline_text(letter.due_at)
    }


# --- Writing a new letter ----------------------------------------------------------------------


def _rate_key(request) -> str:
    return f"letters:visitor-letters:{client_key(request)}"


def _sent_before(request, letter):
    """A form whose letter is already stored (a double click, a reload, a retry after an
    error): answer as the first time would have, and never store it twice."""
    writer = letter.thread.writer
    if request.user.is_authenticated:
        if request.user.pk == writer.pk:
            messages.success(request, _sent_message(letter))
        return redirect("letters:index")
    recent = timezone.now() - letter.received_at <= dt.timedelta(seconds=SUBMISSION_SECONDS)
    if not recent:
        return redirect("letters:index")
    # Only this visitor has the form's one-time token. The phrase of the first answer was
    # shown to nobody and only its hash is kept, so they get a new one now.
    key_phrase = generated_member_key_phrase_renew(user=writer)
    login(request, writer, backend=LOGIN_BACKEND)
    return _key_phrase_page(request, writer, key_phrase, letter)


def _key_phrase_page(request, writer, key_phrase, letter):
    # The key phrase exists only in this response: not in the session, the cache or a log.
    return render(
        request,
        "letters/key_phrase.html",
        {
            "pseudonym": writer.get_username(),
            "key_phrase": key_phrase,
            "letter": letter,
            "deadline": deadline_text(letter.due_at),
            "saved_form": KeySavedForm(),
        },
    )


def _rate_limit_reached(request) -> bool:
    """Count this visitor letter (and so this generated account) against the client's
    hourly allowance. Only the keyed hash of the client address is used, in the cache."""
    key = _rate_key(request)
    cache.add(key, 0, timeout=RATE_WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # the entry expired between add and incr
        cache.set(key, 1, timeout=RATE_WINDOW_SECONDS)
        count = 1
    return count > app_settings.VISITOR_LETTERS_PER_HOUR


def _rate_limit_release(request) -> None:
    with contextlib.suppress(ValueError):
        cache.decr(_rate_key(request))


def _new_letter_page(request, form, *, status=200):
    waiting_full = (
        request.user.is_authenticated
        and request.method == "GET"
        and services.waiting_count(writer=request.user) >= app_settings.MAX_WAITING_PER_WRITER
    )
    return render(
        request,
        "letters/new.html",
        {
            "form": form,
            "is_visitor": not request.user.is_authenticated,
            "waiting_full": waiting_full,
            "max_waiting": app_settings.MAX_WAITING_PER_WRITER,
            "answer_hours": lookups.letter_answer_hours(request),
        },
        status=status,
    )


def _refuse(request, form, message):
    form.add_error(None, message)
    form.refresh_guards()
    return _new_letter_page(request, form)


@require_http_methods(["GET", "POST"])
def letter_new(request):
    """Write a letter. Members write as themselves; a visitor gets an account made for
    them when they send, shown once on the response to this POST and never stored."""
    if request.method == "GET":
        return _new_letter_page(request, LetterForm.fresh())

    is_visitor = not request.user.is_authenticated
    form = LetterForm(request.POST)
    if is_visitor and form.honeypot_filled():
        return _refuse(request, form, ERROR_NOT_SENT)
    if not form.is_valid():
        form.refresh_guards()
        return _new_letter_page(request, form)
    token = form.cleaned_data["token"]
    if is_visitor and (
        token is None or stamp_check(form.cleaned_data["started"], token) != Stamp.OK
    ):
        return _refuse(request, form, ERROR_NOT_SENT)

    earlier = selectors.letter_for_submission(submission_key=token)
    if earlier is not None:
        return _sent_before(request, earlier)
    if is_visitor and _rate_limit_reached(request):
        return _refuse(request, form, ERROR_RATE_LIMITED)

    now = timezone.now()
    try:
        with transaction.atomic():
            if is_visitor:
                writer, key_phrase = generated_member_create()
            else:
                writer, key_phrase = request.user, None
            letter = services.letter_create(
                writer=writer,
                body=form.cleaned_data["body"],
                subject=form.cleaned_data["subject"],
                topic=form.cleaned_data["topic"],
                now=now,
                answer_hours=lookups.letter_answer_hours(request),
                crisis_words=lookups.crisis_words(request),
                submission_key=token,
            )
    except ValidationError as error:
        if is_visitor:
            _rate_limit_release(request)
        form.add_error(None, error)
        form.refresh_guards()
        return _new_letter_page(request, form)
    except IntegrityError:
        # The same form sent twice at once (a double click on two processes): the other
        # copy is stored, and this one is answered as a repeat of it.
        earlier = selectors.letter_for_submission(submission_key=token)
        if earlier is None:
            raise
        if is_visitor:
            _rate_limit_release(request)
        return _sent_before(request, earlier)

    # Saved and committed: only now is the writer told it was sent.
    if not is_visitor:
        messages.success(request, _sent_message(letter))
        return redirect("letters:thread", thread_id=letter.thread_id)

    login(request, writer, backend=LOGIN_BACKEND)
    return _key_phrase_page(request, writer, key_phrase, letter)


@login_required
@require_POST
def key_phrase_saved(request, thread_id: int):
    """After "I have saved it": on to the letter."""
    thread = _writer_thread_or_404(request, thread_id)
    form = KeySavedForm(request.POST)
    if form.is_valid():
        messages.success(
            request,
            _("Good. Log in with your pseudonym and key phrase to read the answer."),
        )
    else:
        # The phrase cannot be shown again (it is not stored), so only remind them.
        messages.warning(
            request,
            _(
                "Remember: you need your pseudonym and key phrase to log in again. While you "
                "are logged in you can change the key phrase to a password of your own on "
                "your account page."
            ),
        )
    return redirect("letters:thread", thread_id=thread.pk)


# --- The writer's letters ----------------------------------------------------------------------


@login_required
@require_http_methods(["GET"])
def letter_index(request):
    threads = selectors.writer_threads(writer=request.user)
    follow_ups = selectors.follow_ups_due(writer=request.user, today=timezone.localdate())
    return render(
        request,
        "letters/index.html",
        {
            "threads": threads,
            "follow_ups": follow_ups,
            "deadline_format": str(DEADLINE_FORMAT),
        },
    )


def _writer_thread_or_404(request, thread_id: int) -> Thread:
    try:
        return selectors.writer_thread(writer=request.user, thread_id=thread_id)
    except Thread.DoesNotExist:
        raise Http404 from None


def _sent_replies(thread: Thread) -> list[Reply]:
    replies = []
    for letter in thread.letter_list:
        try:
            reply = letter.reply
        except Reply.DoesNotExist:
            continue
        if reply.status == Reply.Status.SENT:
            replies.append(reply)
    return replies


def _sent_reply_or_404(thread: Thread, reply_id: int) -> Reply:
    for reply in _sent_replies(thread):
        if reply.pk == reply_id:
            return reply
    raise Http404


def _thread_page(request, thread: Thread, *, follow_up_form=None, feedback_forms=None):
    """The whole thread: the writer's letters and the answers they were sent (never a
    draft or an answer waiting for review), with the referral cards in one lookup."""
    now = timezone.now()
    today = timezone.localdate(now)
    entries = []
    referral_ids: set[int] = set()
    newly_read = False
    for letter in thread.letter_list:
        try:
            reply = letter.reply
        except Reply.DoesNotExist:
            reply = None
        if reply is not None and reply.status != Reply.Status.SENT:
            reply = None
        if reply is not None:
            referral_ids.update(reply.referral_service_ids)
            if reply.read_at is None:
                newly_read = True
        entries.append(
            {"letter": letter, "reply": reply, "is_new": bool(reply and not reply.read_at)}
        )

    cards = (
        lookups.referral_cards(service_ids=sorted(referral_ids), now=now) if referral_ids else {}
    )
    feedback_forms = feedback_forms or {}
    follow_up_prompt = None
    for entry in entries:
        reply = entry["reply"]
        if reply is None:
            continue
        entry["cards"] = [cards[i] for i in reply.referral_service_ids if i in cards]
        entry["card_suffix"] = f"-r{reply.pk}"
        if not reply.feedback_given:
            if reply.pk in feedback_forms:  # sent back with an error: the form as it came
                entry["feedback_form"] = feedback_forms[reply.pk]
            else:
                entry["feedback_html"] = fragments.empty_feedback_form(
                    request, thread_id=thread.pk, reply_id=reply.pk
                )
        if reply.follow_up_on and reply.follow_up_on <= today and not reply.follow_up_dismissed:
            follow_up_prompt = reply

    if newly_read and request.method == "GET":
        services.replies_mark_read(thread=thread, now=now)

    waiting = [entry["letter"] for entry in entries if entry["letter"].answered_at is None]
    is_closed = thread.state == Thread.State.CLOSED
    return render(
        request,
        "letters/thread.html",
        {
            "thread": thread,
            "entries": entries,
            "waiting": waiting,
            "next_deadline": deadline_text(min(w.due_at for w in waiting)) if waiting else None,
            "show_crisis_help": any(letter.urgent for letter in waiting),
            "is_closed": is_closed,
            "can_follow_up": follow_up_form is not None
            or (not is_closed and thread.state == Thread.State.ANSWERED),
            "follow_up_form": follow_up_form or FollowUpForm(),
            "follow_up_prompt": follow_up_prompt,
            "deadline_format": str(DEADLINE_FORMAT),
        },
    )


@login_required
@require_http_methods(["GET"])
def thread_detail(request, thread_id: int):
    return _thread_page(request, _writer_thread_or_404(request, thread_id))


@login_required
@require_POST
def follow_up(request, thread_id: int):
    """The writer answers the reply: a new letter in the same thread, back in the queue."""
    thread = _writer_thread_or_404(request, thread_id)
    form = FollowUpForm(request.POST)
    if form.is_valid():
        try:
            letter = services.letter_follow_up(
                thread=thread,
                writer=request.user,
                body=form.cleaned_data["body"],
                now=timezone.now(),
                answer_hours=lookups.letter_answer_hours(request),
                crisis_words=lookups.crisis_words(request),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _sent_message(letter))
            return redirect("letters:thread", thread_id=thread.pk)
    return _thread_page(request, thread, follow_up_form=form)


@login_required
@require_POST
def feedback(request, thread_id: int, reply_id: int):
    thread = _writer_thread_or_404(request, thread_id)
    reply = _sent_reply_or_404(thread, reply_id)
    if reply.feedback_given or reply.read_at is None:
        return redirect("letters:thread", thread_id=thread.pk)
    form = FeedbackForm(request.POST, prefix=f"feedback-{reply.pk}")
    if not form.is_valid():
        return _thread_page(request, thread, feedback_forms={reply.pk: form})
    services.feedback_submit(reply=reply, answers=form.answers(), now=timezone.now())
    messages.success(request, _("Thank you. Your answers help us do better."))
    return redirect("letters:thread", thread_id=thread.pk)


@login_required
@require_POST
def follow_up_dismiss(request, thread_id: int, reply_id: int):
    thread = _writer_thread_or_404(request, thread_id)
    reply = _sent_reply_or_404(thread, reply_id)
    services.follow_up_dismiss(reply=reply)
    return redirect("letters:index")
