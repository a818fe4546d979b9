"""A member's group places and private notes, for the account export and erasure."""

from chat.groups.models import Participant, PrivateNote


def export_groups(user) -> list[dict]:
    places = Participant.objects.filter(user=user).select_related("session__series")
    return [
        {
            "series": place.session.series.title_nb,
            "starts_at": place.session.starts_at.isoformat(),
            "display_name": place.display_name,
            "region": place.region,
            "notes": [
                {"at": note.created_at.isoformat(), "from": note.author_name, "text": note.text}
                for note in PrivateNote.objects.filter(participant=place).order_by("created_at")
            ],
        }
        for place in places
    ]


def erase_groups(user) -> None:
    # Cascades to the member's notes and to their lines of a still-open transcript.
    Participant.objects.filter(user=user).delete()
