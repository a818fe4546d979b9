"""The fixture world of the authorisation matrix: one victim member who owns something in
every app, an attacker member, and one account per staff role.

Every private thing the victim wrote carries a marker from ``SECRETS``; a response to
anybody not allowed to read it must not contain any marker.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from ordrom.roles import Role

ROLES = (
    "anonymous",
    "member",  # another member: never the owner of anything in the world
    "owner",  # the victim, who owns everything in the world
    "supervisor",
    "moderator",
    "coordinator",
    "editor",
    "staff_without_2fa",
)

# Markers of the victim's private text. Public text (a published forum post, an approved
# friend profile) carries no marker: other members may read it.
SECRETS = {
    "letter": "HEMMELIG-BREV-4471",
    "letter_reply": "HEMMELIG-SVAR-4472",
    "held_post": "HEMMELIG-HOLDT-4473",
    "friend_message": "HEMMELIG-VENNEBREV-4474",
    "friend_request": "HEMMELIG-FORESPORSEL-4475",
    "chat": "HEMMELIG-CHAT-4476",
    "group_note": "HEMMELIG-NOTAT-4477",
    "group_message": "HEMMELIG-SAMTALEROM-4478",
    "callback": "HEMMELIG-RINGMEG-4479",
    "report": "HEMMELIG-RAPPORT-4480",
}


def make_user(username: str, *roles: Role, two_factor: bool = False):
    """Like tests/conftest.py's make_user (module-scoped here, so not its fixtures)."""
    user = get_user_model().objects.create_user(username=username, password=None)
    for role in roles or (Role.MEMBER,):
        user.groups.add(Group.objects.get(name=role))
    if two_factor:
        TOTP.activate(user, generate_totp_secret())
        RecoveryCodes.activate(user)
    return user


@dataclass
class World:
    users: dict = field(default_factory=dict)
    ids: dict = field(default_factory=dict)  # URL parameter name -> the victim's object id
    slugs: dict = field(default_factory=dict)


def build_world() -> World:
    from chat import services as chat_services
    from chat.groups import services as group_services
    from chat.groups.models import GroupSession
    from chat.models import Conversation as ChatConversation
    from forum import services as forum_services
    from forum.models import Category, Standing
    from friends import services as friend_services
    from letters import services as letter_services
    from ordrom.notifications import notify
    from pages.services import callback_request_create

    now = timezone.now()
    world = World()
    u = world.users
    u["owner"] = make_user("Matrise Offer Stille")
    u["member"] = make_user("Matrise Nysgjerrig Nabo")
    u["friend"] = make_user("Matrise Venn Varm")
    u["stranger"] = make_user("Matrise Fremmed Fugl")
    u["supervisor"] = make_user("Matrise Vakt Kari", Role.SUPERVISOR, two_factor=True)
    u["moderator"] = make_user("Matrise Vakt Per", Role.MODERATOR, two_factor=True)
    u["coordinator"] = make_user("Matrise Vakt Liv", Role.COORDINATOR, two_factor=True)
    u["editor"] = make_user("Matrise Skribent Ane", Role.EDITOR, two_factor=True)
    u["staff_without_2fa"] = make_user("Matrise Vakt Ny", Role.SUPERVISOR)
    victim = u["owner"]
    get_user_model().objects.filter(pk__in=[victim.pk, u["member"].pk]).update(
        date_joined=now - dt.timedelta(days=60)
    )
    victim.refresh_from_db()

    # Letters: a thread with an answered letter (the reply carries a marker too).
    letter = letter_services.letter_create(
        writer=victim, body=f"Jeg har det vondt. {SECRETS['letter']}", now=now
    )
    letter_services.letter_claim(letter_id=letter.pk, by=u["supervisor"], now=now)
    letter_services.reply_save_draft(
        letter_id=letter.pk,
        by=u["supervisor"],
        body=f"Takk for brevet. {SECRETS['letter_reply']}",
        now=now,
    )
    reply = letter_services.reply_send(letter_id=letter.pk, by=u["supervisor"], now=now)
    world.ids.update(thread_id=letter.thread_id, letter_id=letter.pk, reply_id=reply.pk)

    # Forum: a published topic of the victim's, and a held post in a pre-moderated category.
    Standing.objects.update_or_create(member=victim, defaults={"approved_posts": 3})
    # The default categories come from a data migration, which a transactional test's
    # flush removes: make them again if they are gone.
    public, _ = Category.objects.get_or_create(
        slug="hverdagen",
        defaults={"name_nb": "Hverdagen", "moderation": Category.Moderation.POST},
    )
    held_in, _ = Category.objects.get_or_create(
        slug="selvskading",
        defaults={"name_nb": "Selvskading", "moderation": Category.Moderation.PRE},
    )
    first = forum_services.topic_create(
        author=victim, category=public, title="Om hverdagen", body="En helt vanlig dag.", now=now
    )
    held = forum_services.topic_create(
        author=victim,
        category=held_in,
        title="Vanskelig",
        body=f"{SECRETS['held_post']}",
        now=now,
    )
    world.ids.update(topic_id=first.topic_id, post_id=first.pk, held_post_id=held.pk)
    world.slugs["slug"] = public.slug

    # Friends: approved profiles; the victim writes with a friend; a stranger's request waits.
    for name in ("owner", "friend", "stranger"):
        profile = friend_services.profile_create(
            member=u[name],
            age_band="26-35",
            region="oslo",
            about="Jeg liker turer.",
            interests=(),
            now=now,
        )
        friend_services.profile_approve(profile=profile, by=u["moderator"], now=now)
    request = friend_services.request_send(
        sender=u["friend"], profile=victim.friend_profile, message="Hei, vil du skrive?", now=now
    )
    conversation = friend_services.request_accept(request=request, by=victim, now=now)
    friend_services.message_send(
        conversation=conversation,
        author=victim,
        body=f"Til deg. {SECRETS['friend_message']}",
        now=now,
    )
    held_message = friend_services.message_send(
        conversation=conversation, author=victim, body="Ring meg på 912 34 567", now=now
    )
    waiting = friend_services.request_send(
        sender=u["stranger"],
        profile=victim.friend_profile,
        message=f"Hei! {SECRETS['friend_request']}",
        now=now,
    )
    report = friend_services.report_create(
        reporter=victim,
        reported=u["friend"],
        reason="other",
        text=SECRETS["report"],
        conversation=conversation,
        now=now,
    )
    world.ids.update(
        profile_id=victim.friend_profile.pk,
        request_id=waiting.pk,
        conversation_id=conversation.pk,
        message_id=held_message.pk,
        report_id=report.pk,
        user_id=victim.pk,
    )

    # One-to-one chat: a running conversation with the supervisor.
    chat = ChatConversation.objects.create(
        member=victim,
        supervisor=u["supervisor"],
        state=ChatConversation.State.ACTIVE,
        first_line="",
        queued_at=now,
        taken_at=now,
    )
    chat_services.message_send(
        conversation_id=chat.pk,
        sender="member",
        author=victim,
        text=f"Jeg trenger noen. {SECRETS['chat']}",
        now=now,
    )
    world.ids["chat_conversation_id"] = chat.pk

    # Group session ("Samtalerom") running now, the victim signed up, with a private note.
    series = group_services.series_create(
        by=u["coordinator"],
        supervisor=u["supervisor"],
        title_nb="Ensomhet",
        weekday=now.weekday(),
        start_time=dt.time(19, 0),
        starts_on=timezone.localdate(now),
        capacity=8,
        now=now,
    )
    session = series.sessions.order_by("starts_at").first()
    place = group_services.participant_sign_up(
        session_id=session.pk,
        user=victim,
        display_name="Kari",
        region="oslo",
        now=session.starts_at - dt.timedelta(days=1),
    )
    # ...and the session has begun.
    GroupSession.objects.filter(pk=session.pk).update(
        starts_at=now - dt.timedelta(minutes=5), ends_at=now + dt.timedelta(hours=2)
    )
    group_services.note_send(
        participant_id=place.pk, by=u["supervisor"], text=SECRETS["group_note"], now=now
    )
    world.ids.update(session_id=session.pk, participant_id=place.pk, series_id=series.pk)

    # A callback request (anonymous, staff read it) and a notification for the victim.
    callback = callback_request_create(
        phone="912 34 567",
        preferred_date=timezone.localdate(now),
        window="09-12",
        about=SECRETS["callback"],
        now=now,
    )
    world.ids["pk"] = callback.pk
    notify(recipient=victim, kind="forum_reply", url="/forum/", now=now, subject="Svar")
    return world


# --- Walking the URL patterns --------------------------------------------------------------

# The URL prefixes whose every pattern must have its own row in the table: the site's
# own apps, and the staff pages they register in Wagtail's admin through hooks.
OUR_PREFIXES = (
    "healthz",
    "i18n/",
    "quick-exit/",
    "help/",
    "letters/",
    "forum/",
    "friends/",
    "chat/",
    "accounts/email/",
    "admin/login/",
    "_util/login/",
    "admin/letters/",
    "admin/forum/",
    "admin/friends/",
    "admin/chat/",
    "admin/samtalerom/",
    "admin/callbacks/",
)
OUR_MODULES = ("letters.", "forum.", "friends.", "chat.", "pages.", "accounts.", "ordrom.")


@dataclass(frozen=True)
class Route:
    route: str  # the full pattern, e.g. "letters/<int:thread_id>/"
    name: str | None  # "letters:thread"; None when unnamed
    module: str  # where the view is defined

    @property
    def key(self) -> str:
        return self.name or self.route

    @property
    def is_ours(self) -> bool:
        return self.route.startswith(OUR_PREFIXES) or self.module.startswith(OUR_MODULES)

    @property
    def group(self) -> str:
        """Built-in views we sample rather than list one by one."""
        if self.is_ours:
            return "ours"
        if self.module.startswith("allauth."):
            return "allauth"
        if self.route.startswith("admin/"):
            return "wagtail-admin"
        if self.module.startswith("wagtail.") or self.route.startswith(("_util/", "documents/")):
            return "wagtail-public"
        return "unclassified"


def walk_urls() -> list[Route]:
    from django.urls import URLPattern, URLResolver, get_resolver

    found: list[Route] = []

    def walk(resolver, prefix, namespace):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                ns = namespace
                if pattern.namespace:
                    ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                walk(pattern, prefix + str(pattern.pattern), ns)
            elif isinstance(pattern, URLPattern):
                name = pattern.name
                if name and namespace:
                    name = f"{namespace}:{name}"
                callback = pattern.callback
                module = getattr(callback, "__module__", "") or ""
                view_class = getattr(callback, "view_class", None)
                if view_class is not None:
                    module = view_class.__module__
                found.append(Route(prefix + str(pattern.pattern), name, module))

    walk(get_resolver(), "", None)
    # Of two patterns with the same name and route only the first is ever reached.
    unique: dict[str, Route] = {}
    routes: set[str] = set()
    for route in found:
        if route.key not in unique and route.route not in routes:
            unique[route.key] = route
            routes.add(route.route)
    return list(unique.values())


def fill(route: Route, world: World | None) -> str:
    """The route with every parameter filled with the victim's object (or a placeholder)."""
    import re

    ids = dict(world.ids) if world else {}
    key = route.key
    if key.startswith(("chat:", "chat_")):
        ids["conversation_id"] = ids.get("chat_conversation_id")
    if key.startswith("forum_moderation_") and "post_id" in ids:
        ids["post_id"] = ids["held_post_id"]
    slugs = world.slugs if world else {}

    def value(match):
        converter, name = match.group(1), match.group(2)
        if name in ids and ids[name] is not None:
            return str(ids[name])
        if name in slugs:
            return slugs[name]
        if converter == "int":
            return "1"
        if converter == "uuid":
            return "00000000-0000-0000-0000-000000000000"
        return "x"

    path = route.route
    if "^" in path or "$" in path:  # a regex pattern (re_path): "1" for each group
        path = re.sub(r"\(\?P<\w+>[^)]*\)", "1", path)
        path = path.replace("((?:[\\w\\-]+/)*)", "").replace("^", "").replace("$", "")
        path = path.replace("\\", "").replace("(.*)", "x")
        path = re.sub(r"\((?!\?)[^)]*\)", "1", path)
    path = re.sub(r"<(?:(\w+):)?(\w+)>", value, path)
    return "/" + path


def outcome(response) -> str:
    """The class of a response: ok (200), redir (302 elsewhere), login (302 to a login
    page), 2fa (302 to set up two-factor authentication), dash (Wagtail's "no permission"
    302 to /admin/), else the status code: 403, 404, 405, 409, 400, 500..."""
    code = response.status_code
    if code == 200:
        return "ok"
    if code in (301, 302, 303):
        location = response.headers.get("Location", "")
        if location.startswith(("/accounts/login/", "/admin/login/")):
            return "login"
        if location.startswith("/accounts/2fa/"):
            return "2fa"
        if location == "/admin/":
            return "dash"
        return "redir"
    return str(code)
