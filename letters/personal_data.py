"""The letters section of a member's data export and erasure (ordrom.personal_data)."""


from letters.models import Letter, Thread
from letters.selectors import forget_queue


def export_letters(user) -> list[dict]:
    threads = (
        Thread.objects.filter(writer=user)
        .select_related("topic")
        .prefetch_related("letters__reply")
        .order_by("created_at")
    )
    result = []
    for thread in threads:
        letters = []
        for letter in thread.letters.all():
            item = {
                "written": letter.received_at.isoformat(),
                "follow_up": letter.is_follow_up,
                "text": letter.body,
                "answer_due": letter.due_at.isoformat(),
            }
            reply = getattr(letter, "reply", None)
            if reply is not None and reply.status == reply.Status.SENT:
                item["answer"] = {
                    "sent": reply.sent_at.isoformat(),
                    "text": reply.body,
                    "next_step": reply.next_step or None,
                    "follow_up_on": reply.follow_up_on.isoformat() if reply.follow_up_on else None,
                }
            letters.append(item)
        result.append(
            {
                "subject": thread.subject,
                "topic": thread.topic.name if thread.topic else None,
                "state": thread.state,
                "started": thread.created_at.isoformat(),
                "letters": letters,
            }
        )
    return result


def erase_letters(user) -> None:
    # Replies and claims go with the letters (CASCADE); LetterRecord rows lose the link
    # (SET_NULL) and keep only what the statistics count.
    Letter.objects.filter(thread__writer=user).delete()
    Thread.objects.filter(writer=user).delete()
    # The supervisors' queue keeps its counts and pages for a few seconds: forgotten, so no
    # page shows a deleted member's letter.
    forget_queue()
