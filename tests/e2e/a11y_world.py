"""The content the accessibility suite needs on the live server, made through the services.

Run inside the server's environment (`manage.py shell`, see test_proof_accessibility.py):
`build(suffix, password)` makes one member who owns something on every member page (an
answered letter, a forum topic, an approved friend profile with a conversation, a waiting
request, a block, a held message, a report, a live chat, a place in a running group session,
a notification), the others it needs to meet, and a waiting letter and a held post for the
staff queues, then prints the ids as one JSON line. Names carry *suffix*, so the suite can
share the session's database with the other browser tests.
"""

from __future__ import annotations

import datetime as dt
import json

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from wagtail.models import Page

from ordrom.roles import Role


def _user(username: str, *roles: Role, password: str | None = None):
    user = get_user_model().objects.create_user(username=username, password=password)
    for role in roles or (Role.MEMBER,):
        user.groups.add(Group.objects.get(name=role))
    return user


def build(suffix: str, password: str) -> None:
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
    owner = _user(f"Tilgjengelig{suffix}", password=password)
    friend = _user(f"Venn{suffix}")
    stranger = _user(f"Fremmed{suffix}")
    blocked = _user(f"Blokkert{suffix}")
    supervisor = _user(f"VaktA11y{suffix}", Role.SUPERVISOR)
    moderator = _user(f"ModA11y{suffix}", Role.MODERATOR)
    coordinator = _user(f"KoordA11y{suffix}", Role.COORDINATOR)
    # Trusted in the forum (old enough), so their posts are published at once.
    get_user_model().objects.filter(pk__in=[owner.pk, friend.pk]).update(
        date_joined=now - dt.timedelta(days=60)
    )
    owner.refresh_from_db()
    friend.refresh_from_db()
    ids: dict[str, object] = {"owner": owner.username}

    # Letters: one answered, and one still waiting (for the staff queue and letter page).
    letter = letter_services.letter_create(
        writer=owner, subject="Lange kvelder", body="Kveldene er lange og stille.", now=now
    )
    letter_services.letter_claim(letter_id=letter.pk, by=supervisor, now=now)
    letter_services.reply_save_draft(
        letter_id=letter.pk, by=supervisor, body="Takk for at du skrev til oss.", now=now
    )
    reply = letter_services.reply_send(letter_id=letter.pk, by=supervisor, now=now)
    waiting = letter_services.letter_create(
        writer=friend, subject="Usikker", body="Jeg vet ikke hvem jeg skal snakke med.", now=now
    )
    ids.update(thread_id=letter.thread_id, reply_id=reply.pk, waiting_letter_id=waiting.pk)

    # Forum: a published topic of the owner's, and a held post for the moderation queue.
    for member in (owner, friend):
        Standing.objects.update_or_create(member=member, defaults={"approved_posts": 3})
    public = Category.objects.filter(moderation=Category.Moderation.POST).order_by("pk").first()
    held_in = Category.objects.filter(moderation=Category.Moderation.PRE).order_by("pk").first()
    first = forum_services.topic_create(
        author=owner, category=public, title="Om hverdagen", body="En helt vanlig dag.", now=now
    )
    answer = forum_services.post_create(
        author=friend, topic=first.topic, body="Takk for at du deler.", now=now
    )
    held = forum_services.topic_create(
        author=friend, category=held_in, title="Vanskelig", body="Det er tungt nå.", now=now
    )
    ids.update(
        topic_id=first.topic_id,
        post_id=first.pk,
        other_post_id=answer.pk,
        held_post_id=held.pk,
        held_topic_id=held.topic_id,
        slug=public.slug,
    )

    # Friends: approved profiles; a conversation with a held message, a waiting request,
    # a block and a report.
    for member in (owner, friend, stranger, blocked):
        profile = friend_services.profile_create(
            member=member,
            age_band="26-35",
            region="oslo",
            about="Jeg liker turer og gode bøker.",
            interests=(),
            now=now,
        )
        friend_services.profile_approve(profile=profile, by=moderator, now=now)
    request = friend_services.request_send(
        sender=friend, profile=owner.friend_profile, message="Hei, vil du skrive?", now=now
    )
    conversation = friend_services.request_accept(request=request, by=owner, now=now)
    friend_services.message_send(
        conversation=conversation, author=owner, body="Hei! Så fint.", now=now
    )
    held_message = friend_services.message_send(
        conversation=conversation, author=friend, body="Ring meg på 912 34 567", now=now
    )
    waiting_request = friend_services.request_send(
        sender=stranger, profile=owner.friend_profile, message="Hei! Skal vi skrive?", now=now
    )
    # For the moderators: a request held for its crisis words, and a profile to review.
    held_request = friend_services.request_send(
        sender=stranger,
        profile=friend.friend_profile,
        message="Jeg orker ikke mer.",
        crisis_words=["orker ikke mer"],
        now=now,
    )
    newcomer = _user(f"Nykommer{suffix}")
    pending = friend_services.profile_create(
        member=newcomer, age_band="26-35", region="oslo", about="Hei!", interests=(), now=now
    )
    friend_services.block_create(blocker=owner, blocked=blocked, now=now)
    report = friend_services.report_create(
        reporter=owner,
        reported=friend,
        reason="other",
        text="Ubehagelig.",
        conversation=conversation,
        now=now,
    )
    ids.update(
        profile_id=friend.friend_profile.pk,
        own_profile_id=owner.friend_profile.pk,
        stranger_profile_id=stranger.friend_profile.pk,
        request_id=waiting_request.pk,
        conversation_id=conversation.pk,
        report_id=report.pk,
        held_message_id=held_message.pk,
        held_request_id=held_request.pk,
        pending_profile_id=pending.pk,
        blocked_user_id=blocked.pk,
    )

    # A live one-to-one chat with the supervisor.
    chat = ChatConversation.objects.create(
        member=owner,
        supervisor=supervisor,
        state=ChatConversation.State.ACTIVE,
        first_line="",
        queued_at=now,
        taken_at=now,
    )
    chat_services.message_send(
        conversation_id=chat.pk, sender="member", author=owner, text="Hei, er du der?", now=now
    )
    ids["chat_conversation_id"] = chat.pk

    # A group session running now with the owner in it, and next week's, open for sign-up.
    series = group_services.series_create(
        by=coordinator,
        supervisor=supervisor,
        title_nb="Ensomhet",
        weekday=now.weekday(),
        start_time=dt.time(19, 0),
        starts_on=timezone.localdate(now),
        capacity=8,
        now=now,
    )
    sessions = list(series.sessions.order_by("starts_at"))
    session = sessions[0]
    place = group_services.participant_sign_up(
        session_id=session.pk,
        user=owner,
        display_name="Kari",
        region="oslo",
        now=session.starts_at - dt.timedelta(days=1),
    )
    GroupSession.objects.filter(pk=session.pk).update(
        starts_at=now - dt.timedelta(minutes=5), ends_at=now + dt.timedelta(hours=2)
    )
    group_services.note_send(
        participant_id=place.pk, by=supervisor, text="Fint at du kom.", now=now
    )
    ids.update(
        participant_id=place.pk,
        session_id=session.pk,
        open_session_id=sessions[1].pk if len(sessions) > 1 else session.pk,
        series_id=series.pk,
    )

    callback = callback_request_create(
        phone="912 34 567",
        preferred_date=timezone.localdate(now),
        window="09-12",
        about="Jeg vil gjerne snakke med noen.",
        now=now,
    )
    ids["callback_id"] = callback.pk
    notify(recipient=owner, kind="forum_reply", url="/forum/", now=now, subject="Svar")

    # The seeded Wagtail pages, each in both languages (the URL is the same for both).
    ids["wagtail_pages"] = sorted(
        {page.url for page in Page.objects.live().filter(depth__gt=1).specific() if page.url}
    )
    from pages.models import GuidedCheckPage

    ids["guided_check"] = GuidedCheckPage.objects.live().order_by("pk").first().url
    print(json.dumps(ids))


def adopt(staff_username: str, ids_json: str) -> None:
    """Give the staff account that signed in through the browser all three workspace roles,
    the waiting letter (claimed), and the lead of the world's group sessions."""
    from chat.groups.models import GroupSeries
    from letters import services as letter_services

    ids = json.loads(ids_json)
    staff = get_user_model().objects.get(username=staff_username)
    for role in (Role.SUPERVISOR, Role.MODERATOR, Role.COORDINATOR):
        staff.groups.add(Group.objects.get(name=role))
    letter_services.letter_claim(letter_id=ids["waiting_letter_id"], by=staff, now=timezone.now())
    GroupSeries.objects.filter(pk=ids["series_id"]).update(supervisor=staff)
    print("ok")
