"""Demo content of the help pages: where to get help, the guided check, the crisis page.

Texts written for this project, in bokmål and English. The guided check refers to help
categories by slug (see help_services.CATEGORIES); the seed turns them into snippet ids.
"""

from __future__ import annotations

DIRECTORY_SLUG = "finn-hjelp"
CHECK_SLUG = "hva-trenger-du"
CRISIS_SLUG = "akutt-hjelp"

DIRECTORY = {
    "nb": {
        "title": "Finn hjelp",
        "intro": "<p>Her er tjenester som kan hjelpe, og om de er åpne akkurat nå. Vet du ikke "
        "helt hva du trenger? Ta en kort sjekk, så foreslår vi noe.</p>",
    },
    "en": {
        "title": "Find help",
        "intro": "<p>Services that can help, and whether they are open right now. Not sure what "
        "you need? Take a short check and we will suggest something.</p>",
    },
}

CRISIS = {
    "nb": {
        "title": "Akutt hjelp",
        "intro": "<p><b>Er du i fare nå, eller redd for å skade deg selv eller noen andre? "
        "Ring 113.</b> Du trenger ikke å vite hva du skal si – de hjelper deg videre.</p>",
        "body": [
            (
                "paragraph",
                "<p>Hvis det ikke haster med en gang, men du trenger noen å snakke "
                "med nå, kan du ringe Hjelpetelefonen på 116 123. Den er åpen hele døgnet, og du "
                "kan være anonym.</p>",
            ),
            (
                "callout",
                {
                    "kind": "help",
                    "title": "Mens du venter",
                    "text": "<p>Sett deg et trygt sted, og pust rolig inn og ut. Er det "
                    "noen i nærheten du stoler på, så si fra til dem.</p>",
                },
            ),
        ],
    },
    "en": {
        "title": "Help now",
        "intro": "<p><b>Are you in danger now, or afraid you might hurt yourself or someone "
        "else? Call 113.</b> You do not need to know what to say – they will help you on.</p>",
        "body": [
            (
                "paragraph",
                "<p>If it is not urgent this minute but you need someone to talk to "
                "now, call the helpline on 116 123. It is open day and night, and you can stay "
                "anonymous.</p>",
            ),
            (
                "callout",
                {
                    "kind": "help",
                    "title": "While you wait",
                    "text": "<p>Sit somewhere safe and breathe slowly in and out. If "
                    "someone you trust is nearby, tell them.</p>",
                },
            ),
        ],
    },
}


def _option(label, *, offers=(), categories=(), forum="", danger=False):
    return {
        "label": label,
        "signals_danger": danger,
        "offers": list(offers),
        "forum_path": forum,
        "help_categories": list(categories),
    }


CHECK = {
    "nb": {
        "title": "Hva trenger du?",
        "intro": "<p>Fire korte spørsmål. Svarene lagres ikke – de brukes bare til å vise deg "
        "hva som kan passe.</p>",
        "result_intro": "<p>Ut fra svarene dine tror vi dette kan passe. Du velger selv.</p>",
        "questions": [
            {
                "question": "Hvordan har du det akkurat nå?",
                "help_text": "",
                "options": [
                    _option(
                        "Ganske greit, men jeg vil gjerne dele noe", offers=["letter", "forum"]
                    ),
                    _option(
                        "Tungt, men jeg er trygg",
                        offers=["letter", "chat"],
                        categories=["angst-depresjon"],
                    ),
                    _option("Jeg er redd for å skade meg selv eller noen andre", danger=True),
                ],
            },
            {
                "question": "Hva handler det mest om?",
                "help_text": "Velg det som passer best.",
                "options": [
                    _option(
                        "Ensomhet",
                        offers=["friends", "forum", "group"],
                        categories=["ensomhet"],
                        forum="/forum/ensomhet/",
                    ),
                    _option(
                        "Angst eller nedstemthet",
                        offers=["letter", "chat"],
                        categories=["angst-depresjon"],
                    ),
                    _option(
                        "Rus – min egen eller noen jeg står nær",
                        offers=["chat"],
                        categories=["rus"],
                    ),
                    _option(
                        "Vold eller overgrep", offers=["callback"], categories=["vold-overgrep"]
                    ),
                    _option("Noe annet", offers=["letter"]),
                ],
            },
            {
                "question": "Hvordan vil du helst ha kontakt?",
                "help_text": "",
                "options": [
                    _option("Skrive i mitt eget tempo", offers=["letter", "forum"]),
                    _option("Chatte", offers=["chat"]),
                    _option("Snakke i telefon", offers=["callback"]),
                    _option("Møte andre i en gruppe", offers=["group"]),
                ],
            },
            {
                "question": "Hvor gammel er du?",
                "help_text": "Noen tjenester er bare for barn og unge.",
                "options": [
                    _option("Under 18 år", categories=["unge"]),
                    _option("18 år eller eldre"),
                ],
            },
        ],
    },
    "en": {
        "title": "What do you need?",
        "intro": "<p>Four short questions. Your answers are not saved – they are only used to "
        "show you what may fit.</p>",
        "result_intro": "<p>From your answers we think these may fit. The choice is yours.</p>",
        "questions": [
            {
                "question": "How are you right now?",
                "help_text": "",
                "options": [
                    _option(
                        "Fairly all right, but I would like to share something",
                        offers=["letter", "forum"],
                    ),
                    _option(
                        "Heavy, but I am safe",
                        offers=["letter", "chat"],
                        categories=["angst-depresjon"],
                    ),
                    _option("I am afraid I might hurt myself or someone else", danger=True),
                ],
            },
            {
                "question": "What is it mostly about?",
                "help_text": "Choose what fits best.",
                "options": [
                    _option(
                        "Loneliness",
                        offers=["friends", "forum", "group"],
                        categories=["ensomhet"],
                        forum="/forum/ensomhet/",
                    ),
                    _option(
                        "Anxiety or feeling low",
                        offers=["letter", "chat"],
                        categories=["angst-depresjon"],
                    ),
                    _option(
                        "Drugs or alcohol – mine or someone close to me",
                        offers=["chat"],
                        categories=["rus"],
                    ),
                    _option("Violence or abuse", offers=["callback"], categories=["vold-overgrep"]),
                    _option("Something else", offers=["letter"]),
                ],
            },
            {
                "question": "How would you rather be in touch?",
                "help_text": "",
                "options": [
                    _option("Writing, at my own pace", offers=["letter", "forum"]),
                    _option("Chatting", offers=["chat"]),
                    _option("Talking on the phone", offers=["callback"]),
                    _option("Meeting others in a group", offers=["group"]),
                ],
            },
            {
                "question": "How old are you?",
                "help_text": "Some services are only for children and young people.",
                "options": [
                    _option("Under 18", categories=["unge"]),
                    _option("18 or older"),
                ],
            },
        ],
    },
}


def check_stream(language: str, category_ids: dict[str, int]) -> list[dict]:
    """The guided check's questions as raw StreamField data, with category slugs as ids."""
    stream = []
    for question in CHECK[language]["questions"]:
        options = [
            {
                **option,
                "help_categories": [category_ids[slug] for slug in option["help_categories"]],
            }
            for option in question["options"]
        ]
        stream.append({"type": "question", "value": {**question, "options": options}})
    return stream


def body_stream(language: str) -> list[dict]:
    return [{"type": kind, "value": value} for kind, value in CRISIS[language]["body"]]
