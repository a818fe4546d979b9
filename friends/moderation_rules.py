"""Why a friend-service message is held: a pure function of (text, crisis words).

The same rules the forum applies to posts, from the shared detectors in ``ordrom``: contact
details hold a message for a moderator (meeting outside is the members' choice, but not
through us), crisis words hold it too and mark it urgent, so staff read it first and the
writer is shown where to get help now. There is no trust level: every message is private
to one other member, and the pair chose each other.
"""

from __future__ import annotations

from ordrom import crisis
from ordrom.contact_details import find_contact_details

CONTACT = "contact"
CRISIS = "crisis"


def hold_reasons(*, text: str, crisis_words) -> tuple[list[str], bool]:
    """The reasons to hold a message (empty: deliver at once), and whether it is urgent."""
    reasons = []
    if find_contact_details(text):
        reasons.append(CONTACT)
    urgent = crisis.signals_crisis(text, crisis_words)
    if urgent:
        reasons.append(CRISIS)
    return reasons, urgent
