"""Build Ordrom's demo content: home page, article index and four articles, the help pages and
the forum rules, in bokmål and English.

Idempotent: pages are found by slug under their parent (translations by translation key),
and a page only gets a new revision when its content differs from what is written here, so a
second run changes nothing. Safe on SQLite and PostgreSQL; the whole run is one transaction.
"""

from __future__ import annotations

import copy
import logging
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import time
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Model
from wagtail.blocks import StreamValue
from wagtail.models import Locale, Page, Site

from forum.models import ForumRulesPage
from pages.demo import forum_rules, help_pages
from pages.demo.help_services import sync_help_services
from pages.models import (
    ArticleIndexPage,
    ArticlePage,
    ChatOpeningHours,
    CrisisPage,
    FeaturedArticle,
    GroupSessionTime,
    GuidedCheckPage,
    HelpCategory,
    HelpDirectoryPage,
    HomePage,
    SiteSettings,
)

# The page `wagtail migrate` creates; it is replaced by the Ordrom home page.
WAGTAIL_WELCOME_TITLE = "Welcome to your new Wagtail site!"

# Both home pages sit directly under the tree root, where sibling slugs must differ; this
# slug never appears in a URL. Wagtail's own copy_for_translation appends "-<language>" too.
HOME_SLUG = "ordrom"
INDEX_SLUG = "artikler"

# (weekday, opens, closes), Europe/Oslo: Monday to Friday 14–20, Sunday 18–21.
CHAT_HOURS = [
    *[(weekday, time(14), time(20)) for weekday in range(5)],
    (6, time(18), time(21)),
]


def _paragraph(html: str) -> dict[str, Any]:
    return {"type": "paragraph", "value": html}


def _quote(text: str, attribution: str = "") -> dict[str, Any]:
    return {"type": "quote", "value": {"text": text, "attribution": attribution}}


def _callout(kind: str, title: str, html: str) -> dict[str, Any]:
    return {"type": "callout", "value": {"kind": kind, "title": title, "text": html}}


HOME = {
    "nb": {
        "title": "Velkommen til Ordrom",
        "intro": (
            "<p>Et rom for ordene dine. Her kan du skrive om det som er vanskelig, uten å si "
            "hvem du er, og få svar fra noen som lytter. <b>Du er ikke alene.</b></p>"
        ),
        "services_heading": "Hva vil du gjøre i dag?",
    },
    "en": {
        "title": "Welcome to Ordrom",
        "intro": (
            "<p>A room for your words. Here you can write about what is hard without saying "
            "who you are, and get an answer from someone who listens. "
            "<b>You are not alone.</b></p>"
        ),
        "services_heading": "What would you like to do today?",
    },
}

INDEX = {
    "nb": {
        "title": "Artikler",
        "intro": "<p>Tekster om ensomhet, psykisk helse og hvor du kan få hjelp.</p>",
    },
    "en": {
        "title": "Articles",
        "intro": "<p>Writing about loneliness, mental health and where to find help.</p>",
    },
}

# Each article: slug (shared by both languages so the URL is the same), whether the home
# page features it, and its content per language.
ARTICLES: list[dict[str, Any]] = [
    {
        "slug": "nar-du-foler-deg-ensom",
        "featured": True,
        "nb": {
            "title": "Når du føler deg ensom",
            "summary": (
                "Ensomhet gjør vondt, men den er vanlig og ingenting å skamme seg over. "
                "Her er noen tanker om hva som kan hjelpe, litt om gangen."
            ),
            "body": [
                _paragraph(
                    "<p>Mange kjenner på ensomhet, også de som har folk rundt seg. Du kan "
                    "føle deg alene i en full stue, eller savne én person du kan si alt til. "
                    "Ensomhet handler om hvordan du har det, ikke om hvor mange du kjenner."
                    "</p><p>Følelsen er et signal, litt som sult: den forteller at du trenger "
                    "kontakt med andre. Den er ikke et tegn på at noe er galt med deg.</p>"
                ),
                _quote("Du trenger ikke ha det helt forferdelig for å fortjene å bli hørt."),
                _paragraph(
                    "<h2>Små steg som kan hjelpe</h2><ul>"
                    "<li>Send en melding til noen du ikke har snakket med på en stund. "
                    "Den trenger ikke være lang.</li>"
                    "<li>Gå en tur der det er folk: på biblioteket, i parken eller på en "
                    "kafé.</li>"
                    "<li>Se etter en aktivitet eller frivillig gruppe der du bor. Når dere "
                    "gjør noe sammen, kommer praten ofte av seg selv.</li>"
                    "<li>Skriv om hvordan du har det, til deg selv, i forumet eller i et brev "
                    "til oss.</li></ul>"
                ),
                _callout(
                    "info",
                    "Du kan skrive til oss",
                    "<p>Skriv et brev uten å oppgi navn, e-post eller telefonnummer. En av "
                    'våre veiledere svarer deg personlig innen 48 timer. <a href="/letters/new/">'
                    "Skriv et brev</a>.</p>",
                ),
            ],
        },
        "en": {
            "title": "When you feel lonely",
            "summary": (
                "Loneliness hurts, but it is common and nothing to be ashamed of. Here are a "
                "few thoughts on what can help, one step at a time."
            ),
            "body": [
                _paragraph(
                    "<p>Many people feel lonely, including people who have others around them. "
                    "You can feel alone in a full living room, or miss one person you can tell "
                    "everything to. Loneliness is about how you feel, not about how many people "
                    "you know.</p><p>The feeling is a signal, a bit like hunger: it tells you "
                    "that you need contact with others. It is not a sign that something is "
                    "wrong with you.</p>"
                ),
                _quote("You do not have to feel terrible to deserve to be heard."),
                _paragraph(
                    "<h2>Small steps that can help</h2><ul>"
                    "<li>Send a message to someone you have not talked to for a while. It does "
                    "not have to be long.</li>"
                    "<li>Go for a walk where there are people: the library, the park or a "
                    "café.</li>"
                    "<li>Look for an activity or volunteer group where you live. When you do "
                    "something together, the talking often comes by itself.</li>"
                    "<li>Write about how you feel, to yourself, in the forum or in a letter to "
                    "us.</li></ul>"
                ),
                _callout(
                    "info",
                    "You can write to us",
                    "<p>Write a letter without giving your name, email or phone number. One of "
                    "our supervisors will answer you personally within 48 hours. "
                    '<a href="/letters/new/">Write a letter</a>.</p>',
                ),
            ],
        },
    },
    {
        "slug": "hvor-kan-jeg-fa-hjelp",
        "featured": True,
        "nb": {
            "title": "Hvor kan jeg få hjelp?",
            "summary": (
                "Hvor du kan ringe, skrive eller gå når du trenger noen å snakke med, "
                "enten det haster eller ikke."
            ),
            "body": [
                _callout(
                    "help",
                    "Trenger du hjelp nå?",
                    "<p>Er det fare for liv eller helse, ring <b>113</b>. Trenger du noen å "
                    "snakke med, kan du ringe Mental Helse Hjelpetelefonen på <b>116 123</b>, "
                    "hele døgnet.</p>",
                ),
                _paragraph(
                    "<h2>Når det ikke haster</h2><p>Fastlegen din er ofte et godt sted å "
                    "begynne. Legen kan snakke med deg om hvordan du har det, og henvise deg "
                    "videre hvis du trenger det. Utenom fastlegens åpningstid kan du ringe "
                    "legevakten på 116 117.</p>"
                ),
                _paragraph(
                    "<h2>Når du heller vil skrive</h2><p>Noen synes det er lettere å skrive "
                    "enn å ringe. I Ordrom kan du skrive et brev og få svar innen 48 timer, "
                    "chatte med en veileder når chatten er åpen, eller dele erfaringer med "
                    "andre i forumet.</p>"
                ),
                _quote("Å be om hjelp er ikke å gi opp. Det er å ta seg selv på alvor."),
                _callout(
                    "warning",
                    "Er du bekymret for noen andre?",
                    "<p>Du kan ringe de samme numrene for å få råd om hvordan du kan hjelpe. "
                    "Er noen i akutt fare, ring 113.</p>",
                ),
            ],
        },
        "en": {
            "title": "Where can I get help?",
            "summary": (
                "Where you can call, write or go when you need someone to talk to, whether "
                "it is urgent or not."
            ),
            "body": [
                _callout(
                    "help",
                    "Do you need help now?",
                    "<p>If a life or someone's health is in danger, call <b>113</b>. If you "
                    "need someone to talk to, call the Mental Helse helpline on "
                    "<b>116 123</b>, day and night.</p>",
                ),
                _paragraph(
                    "<h2>When it is not urgent</h2><p>Your GP (fastlege) is often a good place "
                    "to start. The doctor can talk with you about how you are doing and refer "
                    "you on if you need it. Outside your GP's opening hours you can call the "
                    "out-of-hours emergency clinic (legevakt) on 116 117.</p>"
                ),
                _paragraph(
                    "<h2>When you would rather write</h2><p>Some people find it easier to "
                    "write than to call. At Ordrom you can write a letter and get an answer "
                    "within 48 hours, chat with a supervisor while the chat is open, or share "
                    "experiences with others in the forum.</p>"
                ),
                _quote("Asking for help is not giving up. It is taking yourself seriously."),
                _callout(
                    "warning",
                    "Are you worried about someone else?",
                    "<p>You can call the same numbers for advice on how to help. If someone "
                    "is in immediate danger, call 113.</p>",
                ),
            ],
        },
    },
    {
        "slug": "a-skrive-om-det-som-er-vanskelig",
        "featured": True,
        "nb": {
            "title": "Å skrive om det som er vanskelig",
            "summary": (
                "Å sette ord på tankene kan gjøre dem litt lettere å bære. Slik kan du komme "
                "i gang, også når du ikke vet hvor du skal begynne."
            ),
            "body": [
                _paragraph(
                    "<p>Når tankene går i ring, kan det hjelpe å få dem ut av hodet og ned på "
                    "papiret. Det du skriver, trenger ikke være pent, riktig eller ferdig. Det "
                    "viktigste er at det er ditt.</p>"
                ),
                _paragraph(
                    "<h2>Slik kan du begynne</h2><ol>"
                    "<li>Sett av ti minutter og skriv uten å stoppe.</li>"
                    "<li>Begynn med «Akkurat nå kjenner jeg …» og se hvor setningen tar "
                    "deg.</li>"
                    "<li>Skriv et brev til noen, selv om du aldri sender det.</li>"
                    "<li>Les det neste dag, og legg merke til om noe ser annerledes ut.</li>"
                    "</ol>"
                ),
                _quote("Ordene trenger ikke være riktige. De trenger bare å få komme ut."),
                _callout(
                    "info",
                    "Vil du at noen skal lese det?",
                    "<p>Send det du har skrevet som et brev til Ordrom. En veileder leser det "
                    "og svarer deg personlig, og du trenger ikke si hvem du er.</p>",
                ),
            ],
        },
        "en": {
            "title": "Writing about what is hard",
            "summary": (
                "Putting your thoughts into words can make them a little easier to carry. "
                "Here is how to get started, even when you do not know where to begin."
            ),
            "body": [
                _paragraph(
                    "<p>When your thoughts go round in circles, it can help to get them out "
                    "of your head and onto paper. What you write does not have to be pretty, "
                    "correct or finished. What matters is that it is yours.</p>"
                ),
                _paragraph(
                    "<h2>How to begin</h2><ol>"
                    "<li>Set aside ten minutes and write without stopping.</li>"
                    "<li>Start with “Right now I feel …” and see where the sentence takes "
                    "you.</li>"
                    "<li>Write a letter to someone, even if you never send it.</li>"
                    "<li>Read it the next day, and notice whether anything looks different."
                    "</li></ol>"
                ),
                _quote("The words do not have to be right. They just need to come out."),
                _callout(
                    "info",
                    "Would you like someone to read it?",
                    "<p>Send what you have written as a letter to Ordrom. A supervisor reads "
                    "it and answers you personally, and you do not have to say who you "
                    "are.</p>",
                ),
            ],
        },
    },
    {
        "slug": "trygg-pa-nett",
        "featured": False,
        "nb": {
            "title": "Trygg på nett",
            "summary": (
                "En brevvenn kan gi mye glede. Her er noen råd for å ta vare på deg selv og "
                "den du skriver med."
            ),
            "body": [
                _paragraph(
                    "<p>I vennetjenesten kan du skrive med andre som også ønsker seg noen å "
                    "snakke med. Mange får gode samtaler og nye venner på denne måten. "
                    "Samtidig er det lurt å tenke gjennom hva du deler, særlig i starten.</p>"
                ),
                _paragraph(
                    "<h2>Gode vaner</h2><ul>"
                    "<li>Bruk et kallenavn. Ikke del fullt navn, adresse, telefonnummer eller "
                    "hvor du jobber eller går på skole.</li>"
                    "<li>Ta det i ditt eget tempo. Du bestemmer selv hvor mye du forteller.</li>"
                    "<li>Si fra hvis noe føles ubehagelig. Du kan alltid avslutte en samtale."
                    "</li>"
                    "<li>Vær den vennen du selv ønsker deg: lytt, vær ærlig og respekter "
                    "grenser.</li></ul>"
                ),
                _quote("En god venn på nett lar deg være anonym så lenge du vil."),
                _callout(
                    "warning",
                    "Hvis noen presser deg",
                    "<p>Ingen skal be deg om penger, bilder eller personlige opplysninger. "
                    "Opplever du det, kan du rapportere samtalen, så ser en moderator på den. "
                    "Er du i fare, ring 113.</p>",
                ),
            ],
        },
        "en": {
            "title": "Safe online",
            "summary": (
                "A pen-pal can bring a lot of joy. Here is some advice on looking after "
                "yourself and the person you write with."
            ),
            "body": [
                _paragraph(
                    "<p>In the friend service you can write with others who would also like "
                    "someone to talk to. Many people find good conversations and new friends "
                    "this way. At the same time, it is wise to think about what you share, "
                    "especially at the start.</p>"
                ),
                _paragraph(
                    "<h2>Good habits</h2><ul>"
                    "<li>Use a nickname. Do not share your full name, address, phone number or "
                    "where you work or go to school.</li>"
                    "<li>Take it at your own pace. You decide how much you tell.</li>"
                    "<li>Speak up if something feels uncomfortable. You can always end a "
                    "conversation.</li>"
                    "<li>Be the friend you would like to have: listen, be honest and respect "
                    "boundaries.</li></ul>"
                ),
                _quote("A good friend online lets you stay anonymous for as long as you like."),
                _callout(
                    "warning",
                    "If someone pressures you",
                    "<p>Nobody should ask you for money, pictures or personal details. If it "
                    "happens, you can report the conversation and a moderator will look at it. "
                    "If you are in danger, call 113.</p>",
                ),
            ],
        },
    },
]


@dataclass
class Tally:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _without_ids(data):
    """Stored block data minus the random ids Wagtail adds (blocks and list items)."""
    if isinstance(data, dict):
        return {key: _without_ids(value) for key, value in data.items() if key != "id"}
    if isinstance(data, list):
        return [_without_ids(item) for item in data]
    return data


def _stream_content(stream_value) -> list[dict[str, Any]]:
    block = stream_value.stream_block
    return _without_ids(block.get_prep_value(stream_value))


def _wanted_stream_content(stream_value, raw: list[dict[str, Any]]) -> list[dict[str, Any]]:
    block = stream_value.stream_block
    return _without_ids(block.get_prep_value(block.to_python(copy.deepcopy(raw))))


def _differs(page: Page, fields: dict[str, Any], featured: list[ArticlePage] | None) -> bool:
    for name, wanted in fields.items():
        current = getattr(page, name)
        if isinstance(wanted, Model):
            # Compare a foreign key by id: a Page and its specific subclass are never "equal".
            if getattr(page, f"{name}_id") != wanted.pk:
                return True
        elif isinstance(current, StreamValue):
            if _stream_content(current) != _wanted_stream_content(current, wanted):
                return True
        elif current != wanted:
            return True
    if featured is not None:
        current_ids = [item.article_id for item in page.featured_articles.all()]
        if current_ids != [article.pk for article in featured]:
            return True
    return False


def _place_page(
    page_class: type[Page],
    *,
    parent: Page,
    slug: str,
    locale: Locale,
    fields: dict[str, Any],
    translation_of: Page | None = None,
) -> tuple[Page, bool]:
    """Find a page by slug under its parent, or add it as an unpublished draft.

    A translation is found by its source's translation key first, so one an editor created
    in the admin (perhaps with another slug) is updated rather than duplicated. A new page
    gets no revision here: `_publish_content` writes its first and only one.
    """
    page = None
    if translation_of is not None:
        found = translation_of.get_translation_or_none(locale)
        page = found.specific if found is not None else None
    if page is None:
        page = page_class.objects.child_of(parent).filter(slug=slug, locale=locale).first()
    if page is not None:
        return page, False

    page = page_class(slug=slug, locale=locale, live=False, **copy.deepcopy(fields))
    if translation_of is not None:
        page.translation_key = translation_of.translation_key
    parent.add_child(instance=page)
    return page, True


def _publish_content(
    page: Page,
    *,
    fields: dict[str, Any],
    created: bool,
    tally: Tally,
    featured: list[ArticlePage] | None = None,
) -> None:
    """Publish *fields* (and the featured list) on *page*, unless it is live with them already."""
    label = f"{type(page).__name__} {page.slug} ({page.locale.language_code})"
    if page.live and not _differs(page, fields, featured):
        tally.unchanged.append(label)
        return

    for name, value in fields.items():
        # StreamField writes block ids into the raw list it is given: keep ours pristine.
        setattr(page, name, copy.deepcopy(value))
    if featured is not None:
        page.featured_articles = [FeaturedArticle(article=a) for a in featured]
    page.save_revision().publish()
    (tally.created if created else tally.updated).append(label)


def _sync_tree(locale: Locale, root: Page, tally: Tally, source: dict[str, Any] | None) -> dict:
    """Place and publish one language's home page, article index and articles.

    *source* holds the bokmål pages when building the English tree, to link translations.
    The home page is published last, once the articles it features exist.
    """
    language = locale.language_code
    home_slug = HOME_SLUG if source is None else f"{HOME_SLUG}-{language}"
    home, home_created = _place_page(
        HomePage,
        parent=root,
        slug=home_slug,
        locale=locale,
        fields=HOME[language],
        translation_of=source and source["home"],
    )
    index, index_created = _place_page(
        ArticleIndexPage,
        parent=home,
        slug=INDEX_SLUG,
        locale=locale,
        fields=INDEX[language],
        translation_of=source and source["index"],
    )
    _publish_content(index, fields=INDEX[language], created=index_created, tally=tally)

    articles = []
    for position, spec in enumerate(ARTICLES):
        article, created = _place_page(
            ArticlePage,
            parent=index,
            slug=spec["slug"],
            locale=locale,
            fields=spec[language],
            translation_of=source and source["articles"][position],
        )
        _publish_content(article, fields=spec[language], created=created, tally=tally)
        articles.append(article)

    help_tree = _sync_help_pages(locale, home, tally, source)
    rules, rules_created = _place_page(
        ForumRulesPage,
        parent=home,
        slug=forum_rules.SLUG,
        locale=locale,
        fields=forum_rules.RULES[language],
        translation_of=source and source["forum_rules"],
    )
    _publish_content(rules, fields=forum_rules.RULES[language], created=rules_created, tally=tally)

    featured = [a for a, spec in zip(articles, ARTICLES, strict=True) if spec["featured"]]
    _publish_content(
        home, fields=HOME[language], created=home_created, tally=tally, featured=featured
    )
    return {
        "home": home, "index": index, "articles": articles, "forum_rules": rules, **help_tree
    }


def _sync_help_pages(locale: Locale, home: Page, tally: Tally, source: dict | None) -> dict:
    """Where to get help, the crisis page and the guided check (which links to the crisis page)."""
    language = locale.language_code
    category_ids = dict(HelpCategory.objects.values_list("slug", "pk"))
    pages = {}
    specs = [
        (
            "crisis",
            CrisisPage,
            help_pages.CRISIS_SLUG,
            {
                "title": help_pages.CRISIS[language]["title"],
                "intro": help_pages.CRISIS[language]["intro"],
                "body": help_pages.body_stream(language),
            },
        ),
        ("directory", HelpDirectoryPage, help_pages.DIRECTORY_SLUG, help_pages.DIRECTORY[language]),
        (
            "check",
            GuidedCheckPage,
            help_pages.CHECK_SLUG,
            {
                "title": help_pages.CHECK[language]["title"],
                "intro": help_pages.CHECK[language]["intro"],
                "result_intro": help_pages.CHECK[language]["result_intro"],
                "questions": help_pages.check_stream(language, category_ids),
            },
        ),
    ]
    for key, page_class, slug, fields in specs:
        if key == "check":
            fields = {**fields, "crisis_page": pages["crisis"]}
        page, created = _place_page(
            page_class,
            parent=home,
            slug=slug,
            locale=locale,
            fields=fields,
            translation_of=source and source[key],
        )
        _publish_content(page, fields=fields, created=created, tally=tally)
        pages[key] = page
    return pages


def _point_default_site_at(home: HomePage, tally: Tally) -> Site:
    site = Site.objects.filter(is_default_site=True).first() or Site(is_default_site=True)
    wanted = {
        "hostname": "localhost",
        "port": 80,
        "site_name": "Ordrom",
        "root_page_id": home.pk,
        "is_default_site": True,
    }
    if site.pk is None or any(getattr(site, k) != v for k, v in wanted.items()):
        for name, value in wanted.items():
            setattr(site, name, value)
        site.save()
        tally.notes.append(f"default site localhost:80 now serves page #{home.pk}")
    return site


def _delete_wagtail_welcome_page(root: Page, tally: Tally) -> None:
    """Remove the placeholder page from Wagtail's initial migration once nothing serves it."""
    plain_page = ContentType.objects.get_for_model(Page)
    for page in root.get_children().filter(content_type=plain_page, title=WAGTAIL_WELCOME_TITLE):
        if page.is_leaf() and not Site.objects.filter(root_page=page).exists():
            tally.notes.append(f"deleted Wagtail's welcome page #{page.pk}")
            page.delete()


def _ensure_site_settings(site: Site, tally: Tally, bokmal: dict) -> None:
    settings = SiteSettings.objects.filter(site=site).first()
    if settings is None:
        settings = SiteSettings.objects.create(site=site)
        tally.notes.append("created site settings with the default crisis numbers")
    if settings.crisis_page_id is None or settings.help_page_id is None:
        settings.crisis_page_id = settings.crisis_page_id or bokmal["crisis"].pk
        settings.help_page_id = settings.help_page_id or bokmal["directory"].pk
        settings.save(update_fields=["crisis_page", "help_page"])
        tally.notes.append("linked the crisis page and where to get help from every page")
    if not settings.group_sessions.exists():
        GroupSessionTime.objects.create(
            settings=settings, weekday=2, opens=time(19), closes=time(20), sort_order=0
        )
        tally.notes.append("added a weekly group session, Wednesday 19–20")
    if not settings.chat_hours.exists():
        ChatOpeningHours.objects.bulk_create(
            ChatOpeningHours(
                settings=settings, weekday=day, opens=opens, closes=closes, sort_order=i
            )
            for i, (day, opens, closes) in enumerate(CHAT_HOURS)
        )
        tally.notes.append("added chat opening hours Mon–Fri 14–20, Sun 18–21")


def seed_demo() -> Tally:
    tally = Tally()
    nb = Locale.objects.get(language_code="nb")
    en, created = Locale.objects.get_or_create(language_code="en")
    if created:
        tally.notes.append("created locale en")

    services = sync_help_services()
    if services["created"] or services["updated"]:
        tally.notes.append(
            f"help services and categories: {services['created']} created, "
            f"{services['updated']} updated"
        )

    root = Page.get_first_root_node()
    bokmal = _sync_tree(nb, root, tally, source=None)
    _sync_tree(en, root, tally, source=bokmal)

    site = _point_default_site_at(bokmal["home"], tally)
    _delete_wagtail_welcome_page(root, tally)
    _ensure_site_settings(site, tally, bokmal)
    return tally


@contextmanager
def _quiet_page_logs(quiet: bool):
    """Wagtail and django-tasks log every save and task at INFO; the summary says enough."""
    loggers = [logging.getLogger(name) for name in ("wagtail", "django_tasks")] if quiet else []
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


class Command(BaseCommand):
    help = "Create or update the demo content (home page, articles, translations, settings)."

    def handle(self, *args, **options):
        with _quiet_page_logs(options["verbosity"] < 2), transaction.atomic():
            tally = seed_demo()
        for note in tally.notes:
            self.stdout.write(f"  {note}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo content: {len(tally.created)} pages created, {len(tally.updated)} updated, "
                f"{len(tally.unchanged)} unchanged; "
                f"{Page.objects.filter(depth__gt=1).count()} pages in the tree."
            )
        )
