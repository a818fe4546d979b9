"""The staff workspace for letters: the reply queue, the letter page with its reply editor,
the review list, statistics and the audit log. Registered in ``letters/wagtail_hooks.py``.

Every view checks the role first; Wagtail's ``require_admin_access`` (around every admin URL)
sends anonymous visitors to the login page, and the staff-area middleware refuses members.
"""

from __future__ import annotations

import csv
import datetime as dt
import unicodedata
from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.defaults import permission_denied

from letters import selectors, services
from letters.admin_forms import QueueFilterForm, ReplyForm, ReturnForm, StatisticsForm
from letters.models import Feedback, Letter, Reply, ReplyTemplate
from ordrom import audit
from ordrom.links import pk_url
from ordrom.models import AuditEntry
from ordrom.roles import Role, has_role
from pages import lookups

PAGE_SIZE = 50
ALERTS_SHOWN = 10
STATISTICS_PERIODS = 12
AUDIT_TARGET = "letter"

MESSAGE_SAVED = gettext_lazy("Draft saved at %(time)s.")
MESSAGE_REVIEW_REQUESTED = gettext_lazy("A coordinator has been asked to review your answer.")
MESSAGE_SENT = gettext_lazy("The answer was sent. The writer can read it now.")
MESSAGE_RELEASED = gettext_lazy("You released the letter: someone else can take it now.")
MESSAGE_NOTHING_TO_TAKE = gettext_lazy("No letter is waiting without someone on it.")
MESSAGE_APPROVED = gettext_lazy("The answer was approved and sent.")
MESSAGE_RETURNED = gettext_lazy("The answer was returned to the supervisor with your comment.")
MESSAGE_TEMPLATE_INSERTED = gettext_lazy(
    "The template was added to your answer. Remember to save."
)


# --- Who may do what ----------------------------------------------------------------------------


def can_answer(user) -> bool:
    """Supervisors and coordinators: the only staff who may read a letter."""
    return has_role(user, Role.SUPERVISOR, Role.COORDINATOR)


def can_coordinate(user) -> bool:
    return has_role(user, Role.COORDINATOR)


def allowed(check):
    """Only users passing *check*; others get a plain 403 (Wagtail's admin would turn a raised
    PermissionDenied into a redirect to the dashboard, which hides the refusal)."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not check(request.user):
                return permission_denied(request, PermissionDenied())
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


# --- Small helpers ------------------------------------------------------------------------------


def _distance(due_at: dt.datetime, now: dt.datetime) -> tuple[dict, bool]:
    """({"hours": 3, "minutes": 5}, overdue) between now and a deadline."""
    seconds = int((due_at - now).total_seconds())
    hours, minutes = divmod(abs(seconds) // 60, 60)
    return {"hours": hours, "minutes": minutes}, seconds <= 0


def time_left(due_at: dt.datetime, now: dt.datetime) -> tuple[str, bool]:
    """("3 h 05 min left", False) or ("overdue by 1 h 10 min", True), from stored times."""
    params, overdue = _distance(due_at, now)
    if overdue:
        return _("overdue by %(hours)d h %(minutes)02d min") % params, True
    return _("%(hours)d h %(minutes)02d min left") % params, False


def _short(text: str, length: int = 60) -> str:
    """``Truncator(text).chars(length)``: the same text, without the lazy object, Unicode
    normalisation and character walk Truncator sets up for each call (50 queue rows a page)
    when the text is already short and in the normal form Truncator would give it."""
    if len(text) <= length and unicodedata.is_normalized("NFC", text):
        return text
    return Truncator(text).chars(length)


def _local_time(value: dt.datetime) -> str:
    return formats.time_format(timezone.localtime(value), "H:i")


def _reply_of(letter: Letter) -> Reply | None:
    try:
        return letter.reply
    except Reply.DoesNotExist:
        return None


def _in_review(letter: Letter) -> bool:
    reply = _reply_of(letter)
    return reply is not None and reply.status == Reply.Status.IN_REVIEW


def _get_letter(letter_id: int) -> Letter:
    try:
        return selectors.staff_letter(letter_id=letter_id)
    except Letter.DoesNotExist as error:
        raise Http404 from error


# --- The reply queue ----------------------------------------------------------------------------


@allowed(can_answer)
def queue(request):
    now = timezone.now()
    version = selectors.queue_version()
    filter_form = QueueFilterForm(
        request.GET, topics=selectors.queue_topics(now=now, version=version)
    )
    filters = filter_form.filters()
    counts = selectors.queue_counts(now=now, version=version)
    page, values = selectors.reply_queue_page(
        viewer=request.user, now=now, filters=filters, number=request.GET.get("p"),
        per_page=PAGE_SIZE, open_count=counts.open, version=version,
    )
    # Up to 50 rows, each written here as text: the same rows through template
    # lookups, {% url %} and {% translate %} cost more than the rest of the page together.
    rows = _queue_rows(values, viewer=request.user, now=now, csrf_token=get_token(request))
    alerts = []
    if can_coordinate(request.user):
        alerts = _alert_rows(now)
    return TemplateResponse(
        request,
        "letters/admin/queue.html",
        {
            "page_obj": page,
            "rows": rows,
            "counts": counts,
            "filter_form": filter_form,
            "filters_key": filter_form.rendering_key(),
            "alerts": alerts,
            "is_coordinator": can_coordinate(request.user),
        },
    )


def _queue_rows(letters, *, viewer, now: dt.datetime, csrf_token: str) -> list[dict]:
    """Each letter's id with its table row as HTML (templates/letters/admin/queue.html prints
    them), from the plain values of ``selectors.reply_queue_rows``.

    Written with f-strings: every text is translated once for the page, not once per row,
    and each value that comes from a person (subject, names, topic) is escaped where it is
    put in; ids, URLs built from ids and the CSRF token are digits and letters. The rows are
    the markup format_html gave (tests/letters/test_staff_queue.py)."""
    letter_url, claim_url = pk_url("letters_letter"), pk_url("letters_claim")
    urgent_tag = f' <strong class="letters-tag letters-tag--urgent">{escape(_("Urgent"))}</strong>'
    review = escape(" · " + _("waiting for review"))
    new, follow_up, you = escape(_("New")), _("Follow-up"), escape(_("You"))
    answered_before = _("answered before by %(name)s")
    overdue_text, left_text = _("overdue by %(hours)d h %(minutes)02d min"), _(
        "%(hours)d h %(minutes)02d min left")
    continue_label, read_label = escape(_("Continue")), escape(_("Read"))
    answer_form = (
        '<form method="post" action="{}"><input type="hidden" name="csrfmiddlewaretoken" '
        f'value="{escape(csrf_token)}"><button type="submit" class="button button-small">'
        f"{escape(_('Answer'))}</button></form>"
    )
    english = (translation.get_language() or "nb")[:2] == "en"  # as bilingual.localized
    in_review = Reply.Status.IN_REVIEW
    rows = []
    for letter in letters:
        pk = letter["id"]
        url = letter_url(pk)
        params, overdue = _distance(letter["due_at"], now)  # as time_left(), texts hoisted
        if overdue:
            left = f"<strong>{escape(overdue_text % params)}</strong>"
        else:
            left = escape(left_text % params)
        expires = letter["claim_expires_at"]
        claimed = bool(letter["claimed_by_id"] and expires and expires > now)
        if letter["is_follow_up"]:
            kind = follow_up
            if letter["thread__supervisor_id"]:
                before = answered_before % {"name": letter["thread__supervisor__username"]}
                kind = f"{kind} ({before})"
            kind = escape(kind)
        else:
            kind = new
        if claimed and letter["claimed_by_id"] == viewer.pk:
            holder = you
            action = f'<a class="button button-small" href="{url}">{continue_label}</a>'
        elif claimed:
            holder = escape(letter["claimed_by__username"])
            action = (
                f'<a class="button button-small button-secondary" href="{url}">{read_label}</a>'
            )
        else:
            holder = "—"
            action = answer_form.format(claim_url(pk))
        if letter["thread__topic_id"]:
            topic = escape(
                (english and letter["thread__topic__name_en"]) or letter["thread__topic__name_nb"]
            )
        else:
            topic = "—"
        subject = letter["thread__subject"]
        subject = escape(f" · {_short(subject)}") if subject else ""
        classes = " ".join(
            name for name, on in (("letters-row--urgent", letter["urgent"]),
                                  ("letters-row--overdue", overdue)) if on
        )
        html = (
            f'<tr class="{classes}"><td><a href="{url}">#{pk}{subject}</a>'
            f'{urgent_tag if letter["urgent"] else ""}</td><td>{left}</td><td>{topic}</td>'
            f"<td>{kind}</td><td>{holder}{review if letter['reply__status'] == in_review else ''}"
            f"</td><td>{action}</td></tr>"
        )
        rows.append({"letter_id": pk, "html": mark_safe(html)})  # noqa: S308 (escaped above)
    return rows


def _alert_rows(now: dt.datetime) -> list[dict]:
    return [
        {"letter": letter, "time_left": time_left(letter.due_at, now)[0]}
        for letter in selectors.deadline_alerts(now=now, limit=ALERTS_SHOWN)
    ]


@allowed(can_answer)
@require_POST
def claim_next(request):
    letter = services.letter_claim_next(by=request.user, now=timezone.now())
    if letter is None:
        messages.info(request, MESSAGE_NOTHING_TO_TAKE)
        return redirect("letters_queue")
    return redirect("letters_letter", letter_id=letter.pk)


@allowed(can_answer)
@require_POST
def claim(request, letter_id: int):
    """"Answer" on a queue row: one conditional UPDATE, so of two clicks one wins."""
    try:
        result = services.letter_claim(letter_id=letter_id, by=request.user, now=timezone.now())
    except Letter.DoesNotExist as error:
        raise Http404 from error
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if not result.ok:
            messages.warning(request, services.ERROR_CLAIMED % {"name": result.holder_name})
    return redirect("letters_letter", letter_id=letter_id)


# --- The letter page and its reply editor -------------------------------------------------------


def _reply_form(data=None, *, initial=None):
    return ReplyForm(
        data,
        initial=initial,
        referral_choices=lookups.referral_choices(),
        templates=list(ReplyTemplate.objects.all()),
    )


def _initial_from(reply: Reply | None) -> dict:
    if reply is None:
        return {}
    return {
        "body": reply.body,
        "referral_service_ids": reply.referral_service_ids,
        "next_step": reply.next_step,
        "follow_up_on": reply.follow_up_on,
    }


def _render_letter(request, letter: Letter, now: dt.datetime, *, form=None, return_form=None):
    thread_letters = list(letter.thread.letters.all())
    current = next((item for item in thread_letters if item.pk == letter.pk), letter)
    reply = _reply_of(current)
    claimed = letter.claim_is_active(now)
    mine = claimed and letter.claimed_by_id == request.user.pk
    answered = letter.answered_at is not None
    in_review = reply is not None and reply.status == Reply.Status.IN_REVIEW
    editable = mine and not answered and not in_review
    if form is None and editable:
        form = _reply_form(initial=_initial_from(reply))
    if form is not None and form.is_bound and form.is_valid():
        referral_ids = form.cleaned_data["referral_service_ids"]
    elif form is not None and not form.is_bound:
        referral_ids = list(form.initial.get("referral_service_ids") or [])
    else:
        referral_ids = list(reply.referral_service_ids) if reply else []
    cards = lookups.referral_cards(service_ids=referral_ids, now=now) if referral_ids else {}
    if return_form is None and in_review and can_coordinate(request.user):
        return_form = ReturnForm()
    left, overdue = time_left(letter.due_at, now)
    return TemplateResponse(
        request,
        "letters/admin/letter.html",
        {
            "letter": letter,
            "thread": letter.thread,
            "thread_letters": thread_letters,
            "reply": reply,
            "form": form,
            "return_form": return_form if in_review else None,
            "referral_cards": [cards[i] for i in referral_ids if i in cards],
            "holder": letter.claimed_by if claimed and not mine else None,
            "mine": mine,
            "answered": answered,
            "in_review": in_review,
            "returned": reply is not None and reply.status == Reply.Status.RETURNED,
            "time_left": left,
            "overdue": overdue,
            "is_coordinator": can_coordinate(request.user),
            "autosave_url": reverse("letters_autosave", args=[letter.pk]),
        },
    )


@allowed(can_answer)
def letter_page(request, letter_id: int):
    now = timezone.now()
    letter = _get_letter(letter_id)
    if request.method == "POST":
        return _editor_post(request, letter, now)
    audit.record(
        actor=request.user, action=audit.READ, target_type=AUDIT_TARGET, target_id=letter.pk,
        now=now,
    )
    return _render_letter(request, letter, now)


def _ensure_claim(letter: Letter, user, now: dt.datetime) -> None:
    """Working on the letter renews one's own claim; if it lapsed and nobody else took it,
    it is taken again (the supervisor was only slow). Someone else's claim is refused."""
    if letter.claimed_by_id == user.pk and letter.claim_is_active(now):
        return
    result = services.letter_claim(letter_id=letter.pk, by=user, now=now)
    if not result.ok:
        raise PermissionDenied(services.ERROR_CLAIMED % {"name": result.holder_name})


def _editor_post(request, letter: Letter, now: dt.datetime):
    action = request.POST.get("action", "save")
    if action == "release":
        services.letter_release(letter_id=letter.pk, by=request.user)
        messages.success(request, MESSAGE_RELEASED)
        return redirect("letters_queue")
    form = _reply_form(request.POST)
    if action == "insert":
        form = _reply_form(form.with_template_appended())
        if form.is_valid():
            messages.info(request, MESSAGE_TEMPLATE_INSERTED)
        return _render_letter(request, letter, now, form=form)
    if not form.is_valid():
        return _render_letter(request, letter, now, form=form)
    try:
        _ensure_claim(letter, request.user, now)
        services.reply_save_draft(
            letter_id=letter.pk, by=request.user, now=now, **form.draft_arguments()
        )
        if action == "review":
            services.reply_request_review(letter_id=letter.pk, by=request.user, now=now)
            messages.success(request, MESSAGE_REVIEW_REQUESTED)
            return redirect("letters_queue")
        if action == "send":
            services.reply_send(letter_id=letter.pk, by=request.user, now=now)
            messages.success(request, MESSAGE_SENT)
            return redirect("letters_queue")
    except (ValidationError, PermissionDenied) as error:
        text = error.messages if isinstance(error, ValidationError) else [str(error)]
        for line in text:
            form.add_error(None, line)
        return _render_letter(request, _get_letter(letter.pk), now, form=form)
    messages.success(request, MESSAGE_SAVED % {"time": _local_time(now)})
    return redirect("letters_letter", letter_id=letter.pk)


@allowed(can_answer)
@require_POST
def autosave(request, letter_id: int):
    """The reply editor's script posts the whole form here a moment after typing stops."""
    now = timezone.now()
    letter = _get_letter(letter_id)
    form = _reply_form(request.POST)
    if not form.is_valid():
        return JsonResponse(
            {"ok": False, "errors": [str(e) for errors in form.errors.values() for e in errors]},
            status=400,
        )
    try:
        _ensure_claim(letter, request.user, now)
        services.reply_save_draft(
            letter_id=letter.pk, by=request.user, now=now, **form.draft_arguments()
        )
    except PermissionDenied as error:
        return JsonResponse({"ok": False, "errors": [str(error)]}, status=409)
    except ValidationError as error:
        return JsonResponse({"ok": False, "errors": error.messages}, status=409)
    time = _local_time(now)
    return JsonResponse({"ok": True, "saved_at": time, "message": _("Saved %(time)s") % {
        "time": time}})


# --- Review by a coordinator --------------------------------------------------------------------


@allowed(can_coordinate)
def review_list(request):
    now = timezone.now()
    page = Paginator(selectors.review_queue(), PAGE_SIZE).get_page(request.GET.get("p"))
    rows = [
        {"reply": reply, "time_left": time_left(reply.letter.due_at, now)[0]}
        for reply in page.object_list
    ]
    return TemplateResponse(
        request, "letters/admin/review_list.html", {"page_obj": page, "rows": rows}
    )


@allowed(can_coordinate)
@require_POST
def review_action(request, letter_id: int):
    now = timezone.now()
    action = request.POST.get("action")
    try:
        if action == "approve":
            services.reply_review_approve(letter_id=letter_id, by=request.user, now=now)
            messages.success(request, MESSAGE_APPROVED)
            return redirect("letters_review")
        if action == "return":
            return_form = ReturnForm(request.POST)
            if not return_form.is_valid():
                return _render_letter(
                    request, _get_letter(letter_id), now, return_form=return_form
                )
            services.reply_review_return(
                letter_id=letter_id, by=request.user, comment=return_form.cleaned_data["comment"],
                now=now,
            )
            messages.success(request, MESSAGE_RETURNED)
            return redirect("letters_review")
    except Reply.DoesNotExist as error:
        raise Http404 from error
    except (PermissionDenied, ValidationError) as error:
        text = error.messages if isinstance(error, ValidationError) else [str(error)]
        messages.error(request, " ".join(text))
    return redirect("letters_letter", letter_id=letter_id)


# --- Statistics ---------------------------------------------------------------------------------


def _period_starts(period: str, now: dt.datetime) -> list[dt.date]:
    """The first day of each of the last STATISTICS_PERIODS weeks or months, in local time."""
    today = timezone.localdate(now)
    if period == "month":
        starts, year, month = [], today.year, today.month
        for _n in range(STATISTICS_PERIODS):
            starts.append(dt.date(year, month, 1))
            year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        return starts[::-1]
    monday = today - dt.timedelta(days=today.weekday())
    return [monday - dt.timedelta(weeks=n) for n in range(STATISTICS_PERIODS - 1, -1, -1)]


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def statistics_data(*, period: str, now: dt.datetime) -> dict:
    starts = _period_starts(period, now)
    since = timezone.make_aware(dt.datetime.combine(starts[0], dt.time()))
    found = {row.period: row for row in selectors.letter_statistics(
        period=period, since=since, until=now
    )}
    rows = [
        found.get(start)
        or selectors.PeriodStats(
            period=start, received=0, answered=0, answered_in_time=0, median_hours=None,
            p90_hours=None,
        )
        for start in starts
    ]
    english = (translation.get_language() or "nb")[:2] == "en"
    topics = [
        {
            "name": (row["topic__name_en"] if english and row["topic__name_en"]
                     else row["topic__name_nb"]) or _("No topic"),
            "received": row["received"],
        }
        for row in selectors.topic_statistics(since=since, until=now)
    ]
    feedback = []
    answers = selectors.feedback_statistics(
        since=starts[0], until=timezone.localdate(now) + dt.timedelta(days=1)
    )
    for question, label in Feedback.Question.choices:
        counts = answers.get(question, {})
        total = sum(counts.values())
        feedback.append(
            {
                "question": label,
                "total": total,
                "shares": [
                    (answer_label, _share(counts.get(answer, 0), total))
                    for answer, answer_label in Feedback.Answer.choices
                ],
            }
        )
    return {
        "period": period,
        "since": since,
        "rows": rows,
        "topics": topics,
        "feedback": feedback,
        "answer_labels": [label for _value, label in Feedback.Answer.choices],
        "overdue_now": selectors.overdue_now(now=now),
    }


def _chart(rows, period: str) -> dict:
    """Bar geometry for a server-rendered SVG: received and answered per period."""
    width_each, bar, height = 48, 18, 160
    top = max([max(row.received, row.answered) for row in rows] + [1])
    bars = []
    for index, row in enumerate(rows):
        x = 40 + index * width_each
        received_h = round(row.received / top * height)
        answered_h = round(row.answered / top * height)
        bars.append(
            {
                "x": x,
                "x2": x + bar,
                "received": row.received,
                "answered": row.answered,
                "received_y": 10 + height - received_h,
                "received_h": received_h,
                "answered_y": 10 + height - answered_h,
                "answered_h": answered_h,
                "label": _period_label(row.period, period),
                "label_x": x + bar,
            }
        )
    return {
        "bars": bars,
        "bar": bar,
        "width": 40 + len(rows) * width_each + 10,
        "height": height + 50,
        "baseline": 10 + height,
        "label_y": height + 28,
        "top": top,
    }


def _period_label(start: dt.date, period: str) -> str:
    if period == "month":
        return formats.date_format(start, "M Y")
    return _("week %(number)d") % {"number": start.isocalendar()[1]}


@allowed(can_coordinate)
def statistics(request):
    form = StatisticsForm(request.GET)
    period = form.period_value()
    data = statistics_data(period=period, now=timezone.now())
    for row in data["rows"]:
        row.label = _period_label(row.period, period)
    return TemplateResponse(
        request,
        "letters/admin/statistics.html",
        {**data, "form": form, "chart": _chart(data["rows"], period)},
    )


def _hours(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


@allowed(can_coordinate)
def statistics_csv(request):
    period = StatisticsForm(request.GET).period_value()
    data = statistics_data(period=period, now=timezone.now())
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="letters-{period}.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "period_start",
            "received",
            "answered",
            "answered_within_deadline",
            "share_within_deadline",
            "median_hours_to_first_answer",
            "p90_hours_to_first_answer",
        ]
    )
    for row in data["rows"]:
        share = row.share_in_time
        writer.writerow(
            [
                row.period.isoformat(),
                row.received,
                row.answered,
                row.answered_in_time,
                "" if share is None else f"{share:.3f}",
                _hours(row.median_hours),
                _hours(row.p90_hours),
            ]
        )
    return response


# --- The audit log ------------------------------------------------------------------------------


@allowed(can_coordinate)
def audit_log(request):
    entries = AuditEntry.objects.filter(target_type=AUDIT_TARGET).order_by("-at", "-pk")
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("p"))
    return TemplateResponse(
        request, "letters/admin/audit_log.html", {"page_obj": page, "entries": page.object_list}
    )


# --- The dashboard ------------------------------------------------------------------------------


def deadline_panel_context(request) -> dict:
    return {"alerts": _alert_rows(timezone.now())}
