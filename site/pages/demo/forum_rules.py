"""Demo content of the forum rules page (forum.ForumRulesPage), in bokmål and English.

The forum shows this page at /forum/regler/ and links it from every form; editors change it
in the page editor."""

from __future__ import annotations

SLUG = "forumregler"

RULES = {
    "nb": {
        "title": "Regler for forumet",
        "intro": (
            "Forumet er et sted for å dele erfaringer og støtte hverandre. Reglene gjør det "
            "trygt for alle, og moderatorer leser med."
        ),
        "body": (
            "<ol>"
            "<li>Ikke skriv navn, adresser, telefonnumre eller e-postadresser – verken dine "
            "egne eller andres.</li>"
            "<li>Ikke spekuler i hvem andre medlemmer er.</li>"
            "<li>Ikke del private meldinger eller det andre har fortalt deg i fortrolighet.</li>"
            "<li>Vær snill. Skriv om dine egne erfaringer, og ikke døm andre.</li>"
            "<li>Innlegg med kontaktopplysninger, eller som en moderator må lese først, venter "
            "på en moderator før de vises.</li>"
            "</ol>"
            "<p>Ser du et innlegg som bryter reglene, eller noen som kan være i fare, så "
            "rapporter det: Rapporter-knappen står under hvert innlegg.</p>"
            "<p><b>Er du i fare nå, ring 113.</b></p>"
        ),
    },
    "en": {
        "title": "Forum rules",
        "intro": (
            "The forum is a place to share experiences and support each other. These rules keep "
            "it safe for everyone, and moderators read along."
        ),
        "body": (
            "<ol>"
            "<li>Do not write names, addresses, phone numbers or email addresses: not yours, "
            "and not anyone else's.</li>"
            "<li>Do not speculate about who other members are.</li>"
            "<li>Do not share private messages or what others have told you in confidence.</li>"
            "<li>Be kind. Write about your own experience, and do not judge others.</li>"
            "<li>Posts with contact details, or that a moderator needs to read first, wait for "
            "a moderator before they are shown.</li>"
            "</ol>"
            "<p>If you see a post that breaks the rules, or someone who may be in danger, "
            "report it: the Report button is under every post.</p>"
            "<p><b>If you are in danger now, call 113.</b></p>"
        ),
    },
}
