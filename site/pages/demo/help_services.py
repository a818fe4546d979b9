"""Demo help services: real Norwegian services with their public numbers and hours.

The texts are written for this project. Numbers and hours were right when written; an
organisation that deploys Ordrom checks them before going live (the editors own them).
"""

from __future__ import annotations

from datetime import time

DAY = (time(0), time(0))  # 00:00-00:00: the whole day

# slug, name (nb), name (en), is crisis, sort order
CATEGORIES = [
    ("akutt", "Akutt krise", "Crisis", True, 0),
    ("ensomhet", "Ensomhet", "Loneliness", False, 10),
    ("angst-depresjon", "Angst og depresjon", "Anxiety and depression", False, 20),
    ("rus", "Rus og avhengighet", "Substance use and addiction", False, 30),
    ("parorende", "Pårørende", "Relatives and carers", False, 40),
    ("unge", "Barn og unge", "Children and young people", False, 50),
    ("vold-overgrep", "Vold og overgrep", "Violence and abuse", False, 60),
]

# Each service: fields, categories, hours as (channel, first weekday, last weekday, opens, closes)
SERVICES = [
    {
        "slug": "113",
        "sort_order": 0,
        "name": "Medisinsk nødtelefon 113",
        "summary_nb": "Ring 113 når det er fare for liv eller helse, for deg eller noen andre.",
        "summary_en": "Call 113 when a life or someone's health is in danger, yours or another's.",
        "audience_nb": "Alle, hele døgnet",
        "audience_en": "Everyone, day and night",
        "phone": "113",
        "categories": ["akutt"],
        "hours": [("all", 0, 6, *DAY)],
    },
    {
        "slug": "legevakt",
        "sort_order": 1,
        "name": "Legevakt 116 117",
        "summary_nb": "Når du trenger hjelp raskt, men det ikke er livstruende. "
        "Du kommer til legevakten der du er.",
        "summary_en": "When you need help quickly but it is not life-threatening. "
        "You reach the out-of-hours service where you are.",
        "audience_nb": "Alle, hele døgnet",
        "audience_en": "Everyone, day and night",
        "phone": "116 117",
        "categories": ["akutt"],
        "hours": [("all", 0, 6, *DAY)],
    },
    {
        "slug": "hjelpetelefonen",
        "sort_order": 2,
        "name": "Mental Helse Hjelpetelefonen",
        "summary_nb": "Snakk anonymt med en frivillig som lytter, om alt som er vanskelig – "
        "også tanker om å ta sitt eget liv.",
        "summary_en": "Talk anonymously to a volunteer who listens, about anything that is "
        "hard – thoughts of suicide too.",
        "audience_nb": "Alle som trenger noen å snakke med",
        "audience_en": "Anyone who needs someone to talk to",
        "phone": "116 123",
        "web_url": "https://mentalhelse.no/",
        "categories": ["akutt", "ensomhet", "angst-depresjon"],
        "hours": [("all", 0, 6, *DAY)],
    },
    {
        "slug": "kirkens-sos",
        "name": "Kirkens SOS",
        "summary_nb": "Krisetjeneste på telefon hele døgnet. Du kan være anonym, og de som "
        "svarer har taushetsplikt.",
        "summary_en": "A crisis line open day and night. You can stay anonymous, and those who "
        "answer are bound to confidentiality.",
        "audience_nb": "Alle i krise eller med selvmordstanker",
        "audience_en": "Anyone in crisis or with thoughts of suicide",
        "phone": "22 40 00 40",
        "web_url": "https://www.kirkens-sos.no/",
        "categories": ["akutt", "ensomhet"],
        "hours": [("phone", 0, 6, *DAY)],
    },
    {
        "slug": "rustelefonen",
        "name": "RUStelefonen",
        "summary_nb": "Råd og svar om rus, for deg som bruker selv og for pårørende. "
        "Anonymt, på telefon og chat.",
        "summary_en": "Advice and answers about drugs and alcohol, for users and for their "
        "families. Anonymous, by phone and chat.",
        "audience_nb": "Alle som lurer på noe om rus",
        "audience_en": "Anyone with a question about drugs or alcohol",
        "phone": "08588",
        "chat_url": "https://rustelefonen.no/",
        "web_url": "https://rustelefonen.no/",
        "categories": ["rus", "parorende"],
        "hours": [("phone", 0, 6, time(11), time(19)), ("chat", 0, 4, time(14), time(17))],
    },
    {
        "slug": "alarmtelefonen",
        "name": "Alarmtelefonen for barn og unge",
        "summary_nb": "For barn og unge som blir utsatt for vold, overgrep eller omsorgssvikt, "
        "og for voksne som er bekymret for et barn.",
        "summary_en": "For children and young people exposed to violence, abuse or neglect, "
        "and for adults worried about a child.",
        "audience_nb": "Barn, unge og voksne som er bekymret",
        "audience_en": "Children, young people and worried adults",
        "phone": "116 111",
        "web_url": "https://www.116111.no/",
        "categories": ["unge", "vold-overgrep"],
        "hours": [
            ("all", 0, 4, time(0), time(8)),
            ("all", 0, 4, time(15), time(0)),
            ("all", 5, 6, *DAY),
        ],
    },
    {
        "slug": "kors-pa-halsen",
        "name": "Kors på halsen",
        "summary_nb": "Røde Kors' samtaletilbud for barn og unge. Ring, chat eller send "
        "melding – anonymt, om store og små ting.",
        "summary_en": "The Red Cross line for children and young people. Call, chat or send a "
        "message – anonymously, about big and small things.",
        "audience_nb": "Barn og unge under 18 år",
        "audience_en": "Children and young people under 18",
        "phone": "800 333 21",
        "chat_url": "https://korspahalsen.rodekors.no/",
        "web_url": "https://korspahalsen.rodekors.no/",
        "categories": ["unge", "ensomhet"],
        "hours": [("all", 0, 4, time(11), time(21))],
    },
    {
        "slug": "seksuelt-misbrukte",
        "name": "Hjelpetelefonen for seksuelt misbrukte",
        "summary_nb": "For deg som har vært utsatt for seksuelle overgrep, nå eller før, og for "
        "dine nærmeste.",
        "summary_en": "For people who have been sexually abused, now or in the past, and for "
        "those close to them.",
        "audience_nb": "Utsatte og pårørende",
        "audience_en": "Survivors and their families",
        "phone": "800 57 000",
        "categories": ["vold-overgrep", "parorende"],
        "hours": [("all", 0, 6, *DAY)],
    },
    {
        "slug": "vo-linjen",
        "name": "VO-linjen",
        "summary_nb": "Vold- og overgrepslinjen: gratis og anonym hjelp for utsatte, "
        "pårørende og for deg som er bekymret.",
        "summary_en": "The violence and abuse line: free and anonymous help for those affected, "
        "their families and anyone who is worried.",
        "audience_nb": "Alle som er berørt av vold eller overgrep",
        "audience_en": "Anyone affected by violence or abuse",
        "phone": "116 006",
        "categories": ["vold-overgrep"],
        "hours": [("all", 0, 6, *DAY)],
    },
    {
        "slug": "ung-no",
        "name": "Spør Ung.no",
        "summary_nb": "Still spørsmål anonymt og få svar fra fagfolk. Les også svar på "
        "spørsmål andre unge har stilt.",
        "summary_en": "Ask a question anonymously and get an answer from professionals. "
        "Read answers to what other young people have asked, too.",
        "audience_nb": "Unge mellom 13 og 20 år",
        "audience_en": "Young people aged 13 to 20",
        "web_url": "https://www.ung.no/",
        "categories": ["unge", "ensomhet", "angst-depresjon"],
        "hours": [],
    },
]


def sync_help_services() -> dict[str, int]:
    """Create or update the demo categories and services; unchanged rows are not written."""
    from pages.models import HelpCategory, HelpService, HelpServiceHours

    counts = {"created": 0, "updated": 0}
    categories = {}
    for slug, name_nb, name_en, is_crisis, sort_order in CATEGORIES:
        wanted = {
            "name_nb": name_nb,
            "name_en": name_en,
            "is_crisis": is_crisis,
            "sort_order": sort_order,
        }
        category, created = HelpCategory.objects.get_or_create(slug=slug, defaults=wanted)
        if created:
            counts["created"] += 1
        elif any(getattr(category, key) != value for key, value in wanted.items()):
            for key, value in wanted.items():
                setattr(category, key, value)
            category.save()
            counts["updated"] += 1
        categories[slug] = category

    for data in SERVICES:
        fields = {
            key: data.get(key, "")
            for key in (
                "name",
                "summary_nb",
                "summary_en",
                "audience_nb",
                "audience_en",
                "phone",
                "chat_url",
                "web_url",
            )
        }
        fields["sort_order"] = data.get("sort_order", 100)
        service, created = HelpService.objects.get_or_create(slug=data["slug"], defaults=fields)
        changed = created
        if not created and any(getattr(service, key) != value for key, value in fields.items()):
            for key, value in fields.items():
                setattr(service, key, value)
            service.save()
            changed = True
        wanted_categories = {categories[slug].pk for slug in data["categories"]}
        if set(service.categories.values_list("pk", flat=True)) != wanted_categories:
            service.categories.set(wanted_categories)
            service.save()
            changed = True
        wanted_hours = [
            (channel, first, last, opens, closes)
            for channel, first, last, opens, closes in data["hours"]
        ]
        current_hours = [
            (h.channel, h.first_weekday, h.last_weekday, h.opens, h.closes)
            for h in service.hours.order_by("sort_order")
        ]
        if current_hours != wanted_hours:
            HelpServiceHours.objects.filter(service=service).delete()
            for order, (channel, first, last, opens, closes) in enumerate(wanted_hours):
                HelpServiceHours.objects.create(
                    service=service,
                    sort_order=order,
                    channel=channel,
                    first_weekday=first,
                    last_weekday=last,
                    opens=opens,
                    closes=closes,
                )
            changed = True
        if changed:
            counts["created" if created else "updated"] += 1
    return counts
