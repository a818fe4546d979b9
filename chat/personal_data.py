"""The chat section of a member's export and erasure: their conversations, with every message
in them (both sides), and the crisis contact if they gave one. Erasure deletes the whole
conversations; staff accounts keep nothing of a member's chat."""

from chat.models import Conversation


def export_chat(user) -> dict:
    conversations = (
        Conversation.objects.filter(member=user).prefetch_related("messages").order_by("queued_at")
    )
    return {
        "conversations": [
            {
                "started": conversation.queued_at.isoformat(),
                "state": conversation.state,
                "first_line": conversation.first_line,
                "crisis_contact": conversation.crisis_contact,
                "messages": [
                    {
                        "from": message.sender,
                        "written": message.created_at.isoformat(),
                        "text": message.text,
                    }
                    for message in conversation.messages.all()
                ],
            }
            for conversation in conversations
        ]
    }


def erase_chat(user) -> None:
    Conversation.objects.filter(member=user).delete()
