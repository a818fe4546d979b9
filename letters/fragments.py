"""The thread page's empty feedback forms, rendered once per language in this process.

Under each answer a writer has not rated yet, the thread page shows the three anonymous
questions: an empty FeedbackForm whose field names carry the answer's id, posting to a URL
with the thread's and the answer's ids, with the reader's CSRF token. Everything else in it
is the same for every reader in a language, so it is rendered once with markers in place of
the two ids and the token, and each request puts its own in (through the template it cost
about 0.5 ms an answer). A form sent back with an error is rendered as before.
"""

from __future__ import annotations

from types import SimpleNamespace

from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

from letters.forms import FeedbackForm
from ordrom.kept import KeptHtml

TEMPLATE = "letters/includes/feedback_form.html"
# Ids no thread or answer will have (neither one's digits inside the other's), and a token
# no request gets: each appears in the rendered form only where the real value goes.
_THREAD_MARK, _REPLY_MARK = 987_654_320_123, 987_654_320_456
_CSRF_MARK = "ordrom-csrf-placeholder-51d2"
_rendered = KeptHtml(limit=16)  # one per language


def _render() -> str:
    form = FeedbackForm(prefix=f"feedback-{_REPLY_MARK}")
    return render_to_string(
        TEMPLATE,
        {
            "form": form,
            "thread": SimpleNamespace(pk=_THREAD_MARK),
            "reply": SimpleNamespace(pk=_REPLY_MARK),
            "csrf_token": _CSRF_MARK,
        },
    )


def empty_feedback_form(request, *, thread_id: int, reply_id: int) -> SafeString:
    html = _rendered.get(translation.get_language() or "", _render)
    html = (
        html.replace(str(_THREAD_MARK), str(int(thread_id)))
        .replace(str(_REPLY_MARK), str(int(reply_id)))
        .replace(_CSRF_MARK, get_token(request))
    )
    return mark_safe(html)  # noqa: S308 (our template; only ids and the token put in)
