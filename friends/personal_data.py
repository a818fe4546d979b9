"""The friend service section of a member's export and erasure.

Export: the profile, the requests they sent and received (their own words only), and each
conversation with the partner's pseudonym and the member's own letters — never the partner's
words, which are the partner's data. Erasure removes the profile, every request to or from
them and every message they wrote; the conversation stays for the partner, who sees
"deleted user" (the member link is SET_NULL when the account row goes).
"""

from django.db.models import Q

from friends.models import (
    Block,
    ContactRequest,
    Conversation,
    FriendStanding,
    Message,
    Profile,
    Report,
)
from friends.services import NOTIFY_MESSAGE
from ordrom import notifications

NOTIFICATION_KINDS = (NOTIFY_MESSAGE,)


def export_friends(user) -> dict:
    profile = Profile.objects.filter(member=user).prefetch_related("interests").first()
    conversations = []
    for conversation in Conversation.objects.filter(
        Q(member_a=user) | Q(member_b=user)
    ).select_related("member_a", "member_b"):
        partner = conversation.partner(user)
        conversations.append(
            {
                "partner": partner.get_username() if partner else None,
                "started": conversation.created_at.isoformat(),
                "my_messages": [
                    {"written": m.created_at.isoformat(), "status": m.status, "text": m.body}
                    for m in conversation.messages.filter(author=user).order_by("created_at")
                ],
            }
        )
    return {
        "profile": None
        if profile is None or profile.status == Profile.Status.DELETED
        else {
            "age_band": profile.age_band,
            "region": profile.region,
            "gender": profile.gender,
            "interests": [i.name_nb for i in profile.interests.all()],
            "about": profile.about,
            "status": profile.status,
            "created": profile.created_at.isoformat(),
            "expires": profile.expires_at.isoformat() if profile.expires_at else None,
        },
        "requests_sent": [
            {
                "to": r.recipient.get_username(),
                "sent": r.created_at.isoformat(),
                "status": r.status,
                "text": r.message,
                "moderator_reason": r.moderator_reason,
            }
            for r in ContactRequest.objects.filter(sender=user).select_related("recipient")
        ],
        "requests_received": [
            {
                "from": r.sender.get_username(),
                "received": r.created_at.isoformat(),
                "status": r.status,
            }
            # A request a moderator holds, or did not pass on, never reached the recipient.
            for r in ContactRequest.objects.filter(recipient=user)
            .exclude(status__in=[ContactRequest.Status.HELD, ContactRequest.Status.NOT_PASSED])
            .select_related("sender")
        ],
        "conversations": conversations,
        "blocked": Block.objects.filter(blocker=user).count(),
        "reports_made": [
            {
                "reported": r.reported.get_username() if r.reported else None,
                "made": r.created_at.isoformat(),
                "reason": r.reason,
                "text": r.text,
            }
            for r in Report.objects.filter(reporter=user).select_related("reported")
        ],
    }


def erase_friends(user) -> None:
    # The partner's notifications name the member ("a new letter from …"): the name goes.
    notifications.subjects_forget(kinds=NOTIFICATION_KINDS, subject=user.get_username())
    Message.objects.filter(author=user).delete()
    ContactRequest.objects.filter(Q(sender=user) | Q(recipient=user)).delete()
    Profile.objects.filter(member=user).delete()
    Block.objects.filter(Q(blocker=user) | Q(blocked=user)).delete()
    Report.objects.filter(reporter=user).update(reporter=None, text="")
    FriendStanding.objects.filter(member=user).delete()
    # The member's side of each conversation goes with the account row (SET_NULL); a
    # conversation with nobody left in it goes now.
    Conversation.objects.filter(
        Q(member_a=user, member_b__isnull=True) | Q(member_b=user, member_a__isnull=True)
    ).delete()
